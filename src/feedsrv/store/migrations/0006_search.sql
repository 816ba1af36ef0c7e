-- Schema 6: full-text search over the stored articles (issue 15).
--
-- Each live article's words in search_documents, with a GIN index, as
-- feedsrv.search reads a query: the 'simple' configuration (lower case, no
-- stemming, no stop words, as SQLite FTS5's unicode61 in the embedded mode;
-- 'english' would stem "ceasefires" to "ceasefir" there and not in FTS5, and drop
-- words the query parser keeps inside phrases), accents taken off the Latin
-- letters as both the parser and FTS5 do. The words are the article's text
-- without its front matter, plus its declared title and author.
--
-- A trigger on articles keeps the table in step in each write's transaction,
-- whichever feedsrv writes (an instance not yet upgraded included). Not a
-- generated column of articles: bytes that are not UTF-8 (the parser reads those
-- as cp1252) need a decoding that may fail and fall back, and filling a column of
-- articles would fire its triggers on every row stored (schema 4's declared ids).

-- The text searched, as written: what search snippets are cut from.
CREATE FUNCTION articles_plain_text(source bytea, metadata jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    decoded text;
BEGIN
    BEGIN
        decoded := convert_from(source, 'UTF8');
    EXCEPTION WHEN OTHERS THEN
        BEGIN
            decoded := convert_from(source, 'WIN1252');
        EXCEPTION WHEN OTHERS THEN
            -- NUL bytes, or bytes cp1252 leaves undefined: every byte readable.
            decoded := encode(source, 'escape');
        END;
    END;
    decoded := regexp_replace(decoded, '^\ufeff?---\r?\n.*?\r?\n---\r?\n', '');
    RETURN concat_ws(E'\n', metadata->>'title', metadata->>'author', decoded);
END
$$;

-- The text searched, as its words are indexed: lower case, accents off.
CREATE FUNCTION articles_search_text(source bytea, metadata jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT translate(
        lower(articles_plain_text(source, metadata)),
        'àáâãäåāăąçćčďèéêëēėęěìíîïīįñńňòóôõöōőŕřśšşťùúûüūůűųýÿźżž',
        'aaaaaaaaacccdeeeeeeeeiiiiiinnnooooooorrssstuuuuuuuuyyzzz')
$$;

CREATE TABLE search_documents (
    slug text PRIMARY KEY REFERENCES articles (slug) ON DELETE CASCADE,
    words tsvector NOT NULL
);

CREATE FUNCTION articles_search_documents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.deleted IS NULL THEN
        INSERT INTO search_documents (slug, words)
        VALUES (NEW.slug, to_tsvector('simple', articles_search_text(NEW.source, NEW.metadata)))
        ON CONFLICT (slug) DO UPDATE SET words = excluded.words;
    ELSE
        DELETE FROM search_documents WHERE slug = NEW.slug;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_search_documents AFTER INSERT OR UPDATE OF source, metadata, deleted ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_search_documents();

INSERT INTO search_documents (slug, words)
SELECT slug, to_tsvector('simple', articles_search_text(source, metadata)) FROM articles WHERE deleted IS NULL;

CREATE INDEX search_documents_words ON search_documents USING gin (words);
