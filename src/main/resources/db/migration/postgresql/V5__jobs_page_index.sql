-- The dashboard and GET /api/jobs page through jobs newest first by (updated_at, id) with a cursor:
-- with id in the state index each page is an index range, even where a bulk enqueue gave a million
-- jobs the same updated_at. The twin of the SQLite V5.
DROP INDEX jobs_state_updated;
CREATE INDEX jobs_state_updated ON jobs (state, updated_at, id);
