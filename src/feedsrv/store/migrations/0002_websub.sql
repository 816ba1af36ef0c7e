-- Schema 2: the WebSub hub's state, shared by every instance; the tables of
-- feedsrv.websub.store's SQLite file, with times from the database's clock
-- (instances' clocks may disagree) and a claim on each pending notification.

CREATE TABLE websub_subscriptions (
    callback text NOT NULL,
    topic text NOT NULL,
    secret text,
    lease_seconds integer NOT NULL,
    expires_at timestamptz NOT NULL,
    -- The callback's host as the per-host limits count it (safety.address_key).
    host text NOT NULL DEFAULT '',
    PRIMARY KEY (callback, topic)
);
CREATE INDEX websub_subscriptions_by_topic ON websub_subscriptions (topic, expires_at);
CREATE INDEX websub_subscriptions_by_host ON websub_subscriptions (host, expires_at);

-- The ETag each topic had when last seen, so a change made while every
-- instance was down is noticed at the next start.
CREATE TABLE websub_topics (
    topic text PRIMARY KEY,
    etag text NOT NULL
);

-- The notifications still owed, one row per (target, topic, kind); a change
-- while one is pending bumps its version rather than adding a row.
CREATE TABLE websub_outbox (
    target text NOT NULL,
    topic text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('deliver', 'publish')),
    version bigint NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    due_at timestamptz NOT NULL,
    -- The instance sending it, until when: past that time another instance may
    -- take it, so a notification whose sender died is sent by another.
    claimed_by text,
    claimed_until timestamptz,
    PRIMARY KEY (target, topic, kind),
    CHECK ((claimed_by IS NULL) = (claimed_until IS NULL))
);
CREATE INDEX websub_outbox_by_due ON websub_outbox (kind, due_at);
