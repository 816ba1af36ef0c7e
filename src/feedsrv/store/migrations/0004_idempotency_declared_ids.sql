-- Schema 4: what keeps the publishing API safe when several instances take writes.
--
-- A declared id (an `id` in the front matter) names one article only: two
-- instances checking their own catalogs could both accept one, so this
-- constraint decides. A trigger fills the column from every write's front matter,
-- whichever feedsrv writes (an instance not yet upgraded, in a rolling upgrade,
-- included); it is null for an article declaring none, whose id is made from its
-- outlet and its unique file name, and for a tombstone, whose id is free again as
-- a deleted file's is. An id declared only in an instance's config is left to the
-- loader: every instance shares that config.
ALTER TABLE articles ADD COLUMN declared_id text;

-- The live articles stored so far. Where several declare one id, the first by
-- name keeps it, as the loader serves that one; the others are refused at their
-- next write.
UPDATE articles SET declared_id = first.id
FROM (SELECT DISTINCT ON (btrim(metadata->>'id')) name, btrim(metadata->>'id') AS id
      FROM articles
      WHERE deleted IS NULL AND btrim(metadata->>'id') <> ''
      ORDER BY btrim(metadata->>'id'), name) AS first
WHERE articles.name = first.name;

ALTER TABLE articles ADD CONSTRAINT articles_declared_id_unique UNIQUE (declared_id);

CREATE FUNCTION articles_declared_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.declared_id := CASE WHEN NEW.deleted IS NULL THEN nullif(btrim(NEW.metadata->>'id'), '') END;
    RETURN NEW;
END
$$;

CREATE TRIGGER articles_declared_id BEFORE INSERT OR UPDATE ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_declared_id();

-- The answers to publishing requests sent with an Idempotency-Key, so that one
-- sent again (its answer lost) is answered again instead of written again. A row
-- is written in the transaction of the write it answers: one exists only for a
-- committed write.
CREATE TABLE api_idempotency_keys (
    key text PRIMARY KEY,
    -- A digest of the request (method, path, body, the headers it reads): the
    -- same key with another request is refused.
    fingerprint text NOT NULL,
    status integer NOT NULL,
    location text,
    body bytea NOT NULL,
    created timestamptz NOT NULL DEFAULT now(),
    -- After this the key is forgotten, and the row deleted by a later write.
    expires timestamptz NOT NULL
);
CREATE INDEX api_idempotency_keys_expires ON api_idempotency_keys (expires);
