-- Schema 3: what the instances sharing the hub need beyond schema 2's tables.
--
-- Instances apply the changes log at their own pace, so the site one serves may
-- be behind another's. A topic's bytes are compared with those recorded only by
-- an instance at least as far along as the last one that recorded them
-- (websub_noted), so a lagging instance never takes a topic back to an older
-- state and notifies it again. Each pending notification names how far along
-- the instance that queued it was (noted_high, noted_floor): only an instance
-- as far along sends it, so no subscriber is sent a feed older than the change
-- it is told about.
--
-- Positions are those of feedsrv.store.ChangeCursor: the highest change number
-- applied, and the number up to which every one was.

CREATE TABLE websub_noted (
    -- One row: the position of the latest comparison of topics with their
    -- recorded bytes.
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    high bigint NOT NULL,
    floor bigint NOT NULL
);
INSERT INTO websub_noted (high, floor) VALUES (0, 0);

ALTER TABLE websub_outbox
    ADD COLUMN noted_high bigint NOT NULL DEFAULT 0,
    ADD COLUMN noted_floor bigint NOT NULL DEFAULT 0;

-- Subscription requests accepted (202) and not yet verified with their
-- subscriber: the instance that accepted one claims it at once; if it dies
-- before the verification is over, another takes it once the claim runs out.
CREATE TABLE websub_verifications (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mode text NOT NULL CHECK (mode IN ('subscribe', 'unsubscribe', 'denied')),
    callback text NOT NULL,
    topic text NOT NULL,
    lease_seconds integer,
    secret text,
    -- Why a request is denied (mode 'denied').
    reason text,
    host text NOT NULL DEFAULT '',
    attempts integer NOT NULL DEFAULT 0,
    requested_at timestamptz NOT NULL DEFAULT now(),
    claimed_by text,
    claimed_until timestamptz,
    CHECK ((claimed_by IS NULL) = (claimed_until IS NULL))
);
CREATE INDEX websub_verifications_by_claim ON websub_verifications (claimed_until);
