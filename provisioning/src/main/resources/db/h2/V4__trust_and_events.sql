-- Vigil registry, version 4: what the trust engine knows survives a restart; security events are durable.

-- Each device's trust: its tier (and a tier an operator pinned), its last score, and the engine's
-- snapshot of its baselines (a few hundred bytes). Written on every tier change and periodically.
CREATE TABLE trust_states (
    device_id  BIGINT        NOT NULL PRIMARY KEY REFERENCES devices (id),
    tier       VARCHAR(16)   NOT NULL,
    pinned     VARCHAR(16),
    score      INT           NOT NULL,
    snapshot   VARBINARY(1024) NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- What each profile's cohort of trusted devices has learned (about 2 KB each).
CREATE TABLE trust_cohorts (
    profile    VARCHAR(64)   NOT NULL PRIMARY KEY,
    snapshot   VARBINARY(8192) NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Security events, newest kept (bounded retention); the in-memory ring is reloaded from here at start.
CREATE TABLE security_events (
    seq     BIGINT        NOT NULL PRIMARY KEY,
    at      TIMESTAMP WITH TIME ZONE NOT NULL,
    type    VARCHAR(64)   NOT NULL,
    subject VARCHAR(200)  NOT NULL,
    detail  VARCHAR(1000) NOT NULL,
    count   BIGINT        NOT NULL
);
CREATE INDEX security_events_at ON security_events (at);
