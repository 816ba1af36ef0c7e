"""Train the headline model: ``python -m feedsrv.parse.train CORPUS_DIR… [--output PATH]``.

Reads every ``NNN.lines.json`` (each non-empty line of ``NNN.txt`` with its role:
headline, byline, date, caption, body, other) in the directories given, turns each
article's top lines into the cues :mod:`._headline` reads, and trains a
linear-chain CRF on them. Training is deterministic: the files are read in sorted
order, the parameters are fixed and CRFsuite's L-BFGS runs in one thread, so the
same corpus gives the same model byte for byte.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Iterator
from datetime import UTC
from pathlib import Path

import pycrfsuite

from ._dates import date_context
from ._headline import HEADLINE, MAX_LINES, MODEL_NAME, sequence_features
from ._lead import headline_cues
from ._reading import LONE_BY, join_broken_bylines
from ._text import normalize_text, split_paragraphs

# Strong L2 smoothing and no L1: the headline is one line in a few dozen, and a
# model that spreads its weight over many weak cues judged unseen sites best in
# cross-validation on train.
_PARAMETERS = {"c1": 0.0, "c2": 4.0, "max_iterations": 200, "feature.possible_transitions": True}


def labelled_articles(corpus_dirs: Iterable[Path]) -> Iterator[tuple[list[tuple[str, ...]], list[str]]]:
    """Each annotated article's top-line cues and their roles, in file order; an
    article whose lines do not match the parser's paragraphs is left out."""
    for corpus_dir in corpus_dirs:
        for lines_file in sorted(corpus_dir.glob("*.lines.json")):
            text = lines_file.with_name(lines_file.name.removesuffix(".lines.json") + ".txt").read_text("utf-8")
            normalized = normalize_text(text)
            paragraphs = join_broken_bylines(split_paragraphs(normalized))
            roles = _paragraph_roles(paragraphs, json.loads(lines_file.read_text("utf-8")))
            if roles is None:
                continue
            truth_file = lines_file.with_name(lines_file.name.removesuffix(".lines.json") + ".json")
            if HEADLINE not in roles and truth_file.exists():
                _mark_headline(paragraphs, roles, json.loads(truth_file.read_text("utf-8")).get("title"))
            cues = headline_cues(paragraphs, date_context(normalized, UTC))
            yield cues, roles[:len(cues)]


def _paragraph_roles(paragraphs: list[str], lines: list[dict[str, str]]) -> list[str] | None:
    """The role of each paragraph: a line's, or, for a lone "By" joined to the name
    under it, the name's; None when the lines and paragraphs differ."""
    roles: list[str] = []
    position = 0
    for paragraph in paragraphs[:MAX_LINES]:
        if position < len(lines) and lines[position]["line"] == paragraph:
            roles.append(lines[position]["role"])
            position += 1
        elif position + 1 < len(lines) and lines[position]["line"].lower() in LONE_BY \
                and paragraph.endswith(lines[position + 1]["line"]):
            roles.append(lines[position + 1]["role"])
            position += 2
        else:
            return None
    return roles


def _mark_headline(paragraphs: list[str], roles: list[str], title: str | None) -> None:
    """Where the annotation marks no headline, the line that is the article's title
    (from its metadata) is one: the annotators marked the body, not always the title."""
    if not title:
        return
    for index, paragraph in enumerate(paragraphs[:len(roles)]):
        if paragraph == title.strip():
            roles[index] = HEADLINE
            return


def train(corpus_dirs: Iterable[Path], output: Path) -> int:
    """Train the model on the annotated articles of ``corpus_dirs`` into ``output``;
    returns how many articles it learned from."""
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    trainer.set_params(_PARAMETERS)
    count = 0
    for cues, roles in labelled_articles(corpus_dirs):
        trainer.append(sequence_features(cues), roles)
        count += 1
    trainer.train(str(output))
    return count


def main(argv: list[str] | None = None) -> None:
    """The command line: train on the corpus directories given."""
    parser = argparse.ArgumentParser(prog="python -m feedsrv.parse.train", description=__doc__.splitlines()[0])
    parser.add_argument("corpus_dirs", nargs="+", type=Path, help="directories of NNN.txt and NNN.lines.json")
    parser.add_argument("--output", type=Path, default=Path(__file__).with_name(MODEL_NAME),
                        help="where to write the model (default: the packaged one)")
    arguments = parser.parse_args(argv)
    count = train(arguments.corpus_dirs, arguments.output)
    print(f"{arguments.output}: trained on {count} articles")


if __name__ == "__main__":
    main()
