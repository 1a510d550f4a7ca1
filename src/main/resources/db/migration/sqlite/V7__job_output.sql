-- Nothing to do on SQLite: job output stays in files beside the database (one machine, no setup,
-- appends without a transaction). PostgreSQL's V7 keeps it in the table job_output so that another
-- machine can read it; this file keeps the two folders numbered in step.
SELECT 1;
