-- the gaps left of issues 27 and 28
-- notifications_failed: the notifications given up on (kept as failed, not delivered since), so
-- that `status`, /api/status and the dashboard's overview count them in one range of an index that
-- holds those rows only (the outbox of delivered and pending rows is never read for it). A row
-- enters it only when its last try fails, so neither the trigger's insert nor a delivery writes it.
CREATE INDEX notifications_failed ON notifications (id) WHERE failed_at IS NOT NULL AND delivered_at IS NULL;

-- batches_settled: the settled batches by when they settled, which retention reads from the oldest
-- to delete those whose jobs and callbacks are all gone (issue 28: a batch's record had stayed
-- forever). A batch enters it once, when it settles.
CREATE INDEX batches_settled ON batches (settled_at) WHERE settled_at IS NOT NULL;
