-- A consumer of the pass-event log can stop inside a transaction larger than a page (a template change reaching a
-- million passes): the last event id read there. 0: at the start of the transaction `position` names.
ALTER TABLE "event_cursors" ADD COLUMN "position_id" BIGINT NOT NULL DEFAULT 0;
