-- Resources per host (issue 26). A job may ask resources ({"gpu":1,"mem":17179869184}: a JSON
-- object of integers, names sorted; NULL when it asks none) and several of a host's slots at once;
-- a worker host records what it offers in the registry, so that `show` can tell when no live host
-- could ever run a job. A claim reads the demand of a job only while some runnable job has one:
-- jobs_weighted answers "is there any?" with one seek of an index that is empty as a rule.
ALTER TABLE jobs ADD COLUMN resources TEXT;
ALTER TABLE jobs ADD COLUMN slots INTEGER NOT NULL DEFAULT 1;
CREATE INDEX jobs_weighted ON jobs (state) WHERE (resources IS NOT NULL OR slots > 1);
ALTER TABLE workers ADD COLUMN resources TEXT;
