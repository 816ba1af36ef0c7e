-- Schema 1: the articles, their parsed entries, and the log of changes.

-- Numbers every change to an article, in articles.change and changes.number.
CREATE SEQUENCE change_numbers AS bigint;

CREATE TABLE articles (
    -- The article's URL slug, made from its file name: decided by this
    -- constraint, so two writers cannot both take one.
    slug text PRIMARY KEY,
    -- The file name the article was imported or published as; its stem is the
    -- key of the config's [articles.<stem>] table.
    name text NOT NULL UNIQUE,
    -- The file's bytes, as the parser reads them (it decodes UTF-8, else cp1252
    -- with a warning), so the entry made from them is the file's entry.
    source bytea NOT NULL,
    -- The front matter, as a JSON object of its keys and values.
    metadata jsonb NOT NULL DEFAULT '{}',
    -- sources.file_digest of the name and source, in hexadecimal.
    digest text NOT NULL,
    -- The modification time the parser was given (the file's, when imported);
    -- null when it was outside the dates feeds can carry.
    modified timestamptz,
    created timestamptz NOT NULL DEFAULT now(),
    updated timestamptz NOT NULL DEFAULT now(),
    -- Set when the article is deleted: the row stays, so every instance
    -- answers 410 Gone for it.
    deleted timestamptz,
    -- The number of the article's latest change.
    change bigint NOT NULL UNIQUE
);

CREATE TABLE parsed_entries (
    digest text NOT NULL,
    -- parsecache.parser_stamp: the parser's code and the settings it reads.
    parser text NOT NULL,
    -- The entry, as parsecache.dump_entry writes it.
    entry bytea NOT NULL,
    created timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (digest, parser)
);

-- What changed, in order, for instances catching up after missing a NOTIFY.
-- Numbers are taken before commit, so one may become visible after a higher
-- one: a reader must allow for that rather than take the highest it saw as a
-- bound.
CREATE TABLE changes (
    number bigint PRIMARY KEY DEFAULT nextval('change_numbers'),
    slug text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('put', 'delete')),
    at timestamptz NOT NULL DEFAULT now()
);
