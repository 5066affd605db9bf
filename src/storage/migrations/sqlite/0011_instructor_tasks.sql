-- Instructor background tasks and the reports they write (Open edX
-- instructor_task_instructortask and its ReportStore files), owned by
-- domain/instructor_tasks. The table is the truth about a task: any node
-- reads its state, and the job that runs it (instructor_tasks.run) keeps
-- its progress here. task_key groups tasks on the same thing (one problem,
-- one problem and learner) as upstream's task_key does; checkpoint is where
-- a retried run resumes (the last learner done), never shown to clients.
CREATE TABLE instructor_tasks (
  id INTEGER PRIMARY KEY,
  course_key TEXT NOT NULL,
  task_type TEXT NOT NULL,
  task_key TEXT NOT NULL,
  task_input TEXT NOT NULL,
  task_id TEXT NOT NULL UNIQUE,
  task_state TEXT NOT NULL,
  task_output TEXT,
  checkpoint BIGINT,
  requester TEXT NOT NULL,
  created BIGINT NOT NULL,
  updated BIGINT NOT NULL
);
CREATE INDEX instructor_tasks_course_key ON instructor_tasks (course_key, task_key);

-- The CSV reports of a course, kept in the database so every node serves
-- them; (course_key, name) is unique, as a report store's file path is.
CREATE TABLE instructor_reports (
  id INTEGER PRIMARY KEY,
  course_key TEXT NOT NULL,
  name TEXT NOT NULL,
  task_id TEXT NOT NULL,
  content TEXT NOT NULL,
  created BIGINT NOT NULL,
  UNIQUE (course_key, name)
);
