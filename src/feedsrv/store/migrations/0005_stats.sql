-- Schema 5: subscriber statistics (feedsrv.stats.store), which every instance
-- flushes what it counted into: per day (UTC) and feed document, the traffic, the
-- direct subscribers (digests of clients under the day's salt, collapsed into a
-- count once the day is over, the digests and the salt then deleted), the latest
-- count each aggregator reported per feed id, and the WebSub subscriptions.
CREATE TABLE stats_traffic (
    day date NOT NULL,
    path text NOT NULL,
    requests bigint NOT NULL,
    full_responses bigint NOT NULL,
    not_modified bigint NOT NULL,
    refused bigint NOT NULL,
    bytes_sent bigint NOT NULL,
    bytes_saved_not_modified bigint NOT NULL,
    bytes_saved_compression bigint NOT NULL,
    PRIMARY KEY (day, path)
);

CREATE TABLE stats_clients (
    day date NOT NULL,
    path text NOT NULL,
    client bytea NOT NULL,
    PRIMARY KEY (day, path, client)
);

CREATE TABLE stats_direct (
    day date NOT NULL,
    path text NOT NULL,
    subscribers bigint NOT NULL,
    PRIMARY KEY (day, path)
);

CREATE TABLE stats_aggregators (
    day date NOT NULL,
    path text NOT NULL,
    aggregator text NOT NULL,
    feed_id text NOT NULL,
    subscribers bigint NOT NULL,
    -- When the count was reported (Unix seconds): the latest one wins, whichever
    -- instance flushes first.
    seen double precision NOT NULL,
    PRIMARY KEY (day, path, aggregator, feed_id)
);

CREATE TABLE stats_websub (
    day date NOT NULL,
    path text NOT NULL,
    subscribers bigint NOT NULL,
    PRIMARY KEY (day, path)
);

CREATE TABLE stats_salts (
    day date PRIMARY KEY,
    salt bytea NOT NULL
);
