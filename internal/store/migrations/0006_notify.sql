-- The outbox of messages to citizens (SMS now; e-mail, Zalo later). A
-- service writes a message in the transaction of the change it reports; a
-- worker delivers it. Every state a delivery goes through is here, so a
-- restart loses nothing. Times are Unix milliseconds (UTC).
CREATE TABLE notify_messages (
    id              TEXT PRIMARY KEY,           -- random; the gateway's request id
    seq             BIGINT NOT NULL UNIQUE,     -- order of enqueueing (delivery order)
    idem_key        TEXT NOT NULL UNIQUE,       -- the caller's idempotency key: one message per key
    agency_code     TEXT NOT NULL,              -- sent on behalf of
    channel         TEXT NOT NULL,              -- sms
    recipient       TEXT NOT NULL,              -- 0xxxxxxxxx
    body            TEXT NOT NULL,
    kind            TEXT NOT NULL,              -- queue_near, appointment_reminder, dossier_…
    segments        INTEGER NOT NULL,           -- SMS segments billed
    state           TEXT NOT NULL,              -- pending, sending, sent, failed, expired, cancelled
    not_before      BIGINT NOT NULL,
    not_after       BIGINT,                     -- unsent by then: expired
    next_attempt_at BIGINT NOT NULL,            -- pending: when it is due; sending: the end of the worker's lease
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    provider_id     TEXT NOT NULL DEFAULT '',   -- the gateway's id of a sent message
    sent_at         BIGINT,
    sandbox         BOOLEAN NOT NULL DEFAULT FALSE, -- delivered to the sandbox, not to a phone
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
-- What the worker looks for: the few messages not yet settled.
CREATE INDEX notify_messages_due ON notify_messages (next_attempt_at) WHERE state IN ('pending', 'sending');
-- One number's messages: earlier ones still waiting, the last one sent.
CREATE INDEX notify_messages_recipient ON notify_messages (recipient, seq);
-- The console: an agency's latest messages.
CREATE INDEX notify_messages_agency ON notify_messages (agency_code, seq);
