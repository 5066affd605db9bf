import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { Alert, Button } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { request } from '../api/http';
import { ErrorPanel, Loading } from './Status';
import {
  EXAM_BASE, POLL_SECONDS, examScreen, examUrl, formatClock, humanizeTime, isRunning, minutesCeil,
  parseExam, secondsLeft, timerLevel,
} from '../lib/exam';
import type { Exam, ExamScreen, TimerLevel } from '../lib/exam';

const messages = defineMessages({
  startTitle: { id: 'exam.start.title', defaultMessage: 'Subsection is a Timed Exam ({duration})' },
  startBody: { id: 'exam.start.body', defaultMessage: 'This is a timed exam: it has a time limit associated with it.' },
  startPass: { id: 'exam.start.pass', defaultMessage: 'To pass this exam, you must complete the problems in the time allowed.' },
  startAfter: {
    id: 'exam.start.after',
    defaultMessage: 'After you select "I am ready to start this timed exam", you will have {duration} to complete and submit the exam.',
  },
  startButton: { id: 'exam.start.button', defaultMessage: 'I am ready to start this timed exam.' },
  extraTitle: { id: 'exam.start.extraTitle', defaultMessage: 'Can I request additional time to complete my exam?' },
  extraBody: {
    id: 'exam.start.extraBody',
    defaultMessage: 'If you have disabilities, you might be eligible for an additional time allowance on timed exams. Ask your course team for information about additional time allowances.',
  },
  timerText: { id: 'exam.timer.text', defaultMessage: 'You are taking "{name}" as {type}.' },
  timerMore: {
    id: 'exam.timer.more',
    defaultMessage: 'The timer shows the time remaining in the exam. To receive credit for problems, you must select "Submit" for each problem before you select "End My Exam".',
  },
  showMore: { id: 'exam.timer.showMore', defaultMessage: 'Show more' },
  showLess: { id: 'exam.timer.showLess', defaultMessage: 'Show less' },
  timerRegion: { id: 'exam.timer.region', defaultMessage: 'Exam timer and end exam button' },
  timeLeft: { id: 'exam.timer.left', defaultMessage: 'Time remaining: {time}' },
  endButton: { id: 'exam.timer.end', defaultMessage: 'End My Exam' },
  low: { id: 'exam.timer.low', defaultMessage: 'You have less than {minutes, plural, one {# minute} other {# minutes}} remaining in this exam.' },
  critical: {
    id: 'exam.timer.critical',
    defaultMessage: 'You have less than {minutes, plural, one {# minute} other {# minutes}} remaining. Submit your answers now.',
  },
  zero: { id: 'exam.timer.zero', defaultMessage: 'The time for this exam is up. Your exam is being submitted.' },
  submitTitle: { id: 'exam.submit.title', defaultMessage: 'Are you sure that you want to submit your timed exam?' },
  submitCheck: { id: 'exam.submit.check', defaultMessage: 'Make sure that you have selected "Submit" for each problem before you submit your exam.' },
  submitAfter: { id: 'exam.submit.after', defaultMessage: 'After you submit your exam, your exam will be graded.' },
  submitYes: { id: 'exam.submit.yes', defaultMessage: 'Yes, submit my timed exam.' },
  submitNo: { id: 'exam.submit.no', defaultMessage: "No, I'd like to continue working" },
  submittedTitle: { id: 'exam.submitted.title', defaultMessage: 'You have submitted your timed exam.' },
  submittedBody: {
    id: 'exam.submitted.body',
    defaultMessage: 'After the due date has passed, you can review the exam, but you cannot change your answers.',
  },
  timedOutTitle: { id: 'exam.timedOut.title', defaultMessage: 'The time allotted for this exam has expired.' },
  timedOutBody: { id: 'exam.timedOut.body', defaultMessage: 'Your exam has been submitted and any work you completed will be graded.' },
  expiredTitle: { id: 'exam.expired.title', defaultMessage: 'The due date for this exam has passed' },
  expiredBody: { id: 'exam.expired.body', defaultMessage: 'Because the due date has passed, you are no longer able to take this exam.' },
  errorTitle: { id: 'exam.error.title', defaultMessage: 'A system error has occurred with your exam.' },
  failed: { id: 'exam.failed', defaultMessage: 'We could not update your exam. Please try again.' },
});

function act(attemptId: number, action: string): Promise<unknown> {
  return request(`${EXAM_BASE}/attempt/${attemptId}`, { method: 'PUT', json: { action } });
}

/**
 * A time-limited sequence (frontend-lib-special-exams' Exam): the start,
 * "are you sure", submitted and expired pages instead of its units, and the
 * timer bar above them while the attempt runs. `children` is the sequence.
 */
export function TimedExam({ courseId, sequenceId, children }: { courseId: string; sequenceId: string; children: ReactNode }) {
  const intl = useIntl();
  const [exam, setExam] = useState<Exam | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const [timedOut, setTimedOut] = useState(false);
  // When the attempt's clock ends, in epoch milliseconds, from the last read.
  const [deadline, setDeadline] = useState<number | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // Bumped after an action; the effect focuses the heading of the page that render shows
  // (a requestAnimationFrame could run before React committed the new page).
  const [focusRequest, setFocusRequest] = useState(0);
  useEffect(() => {
    if (focusRequest > 0) heading.current?.focus();
  }, [focusRequest]);

  const read = useCallback(async (signal?: AbortSignal) => {
    const next = parseExam(await request(examUrl(courseId, sequenceId), { signal }));
    setExam(next);
    setDeadline(next?.attempt && isRunning(next) ? Date.now() + next.attempt.timeRemaining * 1000 : null);
    return next;
  }, [courseId, sequenceId]);

  useEffect(() => {
    const controller = new AbortController();
    setExam(undefined);
    setLoadError(null);
    read(controller.signal).catch((e) => {
      if (!controller.signal.aborted) setLoadError(e);
    });
    return () => controller.abort();
  }, [read]);

  // Each action is one request, then the exam read again (the thunks' pattern).
  const run = useCallback(async (step: () => Promise<unknown>, focus = true) => {
    setBusy(true);
    setFailed(false);
    try {
      await step();
    } catch {
      setFailed(true);
    }
    try {
      await read();
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
      if (focus) setFocusRequest((n) => n + 1);
    }
  }, [read]);

  const running = exam ? isRunning(exam) : false;
  // A running attempt is read again every minute: extra time granted, or submitted elsewhere.
  useEffect(() => {
    if (!running) return undefined;
    const id = window.setInterval(() => void read().catch(() => {}), POLL_SECONDS * 1000);
    return () => window.clearInterval(id);
  }, [running, read]);

  const onExpire = useCallback(() => {
    if (!exam?.attempt) return;
    const id = exam.attempt.id;
    setTimedOut(true);
    // The server submits a timed-out attempt itself; a refused submit is fine.
    void run(() => act(id, 'submit').catch(() => {}));
  }, [exam, run]);

  if (loadError) return <ErrorPanel error={loadError} onRetry={() => { setLoadError(null); void read().catch(setLoadError); }} />;
  if (exam === undefined) return <Loading />;
  if (exam === null) return <>{children}</>;
  const screen: ExamScreen = examScreen(exam, timedOut);
  const attempt = exam.attempt;
  const failure = failed && <Alert variant="danger" role="alert">{intl.formatMessage(messages.failed)}</Alert>;
  const bar = attempt && running && deadline !== null && (
    <TimerBar
      exam={exam}
      deadline={deadline}
      showEnd={attempt.status === 'started'}
      busy={busy}
      onEnd={() => void run(() => act(attempt.id, 'stop'))}
      onExpire={onExpire}
    />
  );

  if (screen === 'content') return <>{bar}{failure}{children}</>;
  const duration = exam.totalTime ?? humanizeTime(exam.timeLimitMins * 60);
  return (
    <>
      {bar}
      <section className="larch-exam border rounded p-4 mt-3" data-testid={`exam-screen-${screen}`}>
        {failure}
        {screen === 'start' && (
          <>
            <h2 className="h3" ref={heading} tabIndex={-1}>{intl.formatMessage(messages.startTitle, { duration })}</h2>
            <p>{intl.formatMessage(messages.startBody)} <strong>{intl.formatMessage(messages.startPass)}</strong></p>
            <p>{intl.formatMessage(messages.startAfter, { duration })}</p>
            <Button
              variant="primary"
              disabled={busy}
              data-testid="exam-start"
              onClick={() => void run(() => request(`${EXAM_BASE}/attempt`, { json: { exam_id: exam.id, start_clock: 'true' } }), false)}
            >
              {intl.formatMessage(messages.startButton)}
            </Button>
            <hr />
            <h3 className="h5">{intl.formatMessage(messages.extraTitle)}</h3>
            <p className="small mb-0">{intl.formatMessage(messages.extraBody)}</p>
          </>
        )}
        {screen === 'ready_to_submit' && attempt && (
          <>
            <h2 className="h3" ref={heading} tabIndex={-1}>{intl.formatMessage(messages.submitTitle)}</h2>
            <p>{intl.formatMessage(messages.submitCheck)}</p>
            <p>{intl.formatMessage(messages.submitAfter)}</p>
            <div className="d-flex flex-wrap larch-gap">
              <Button variant="primary" disabled={busy} data-testid="exam-submit" onClick={() => void run(() => act(attempt.id, 'submit'))}>
                {intl.formatMessage(messages.submitYes)}
              </Button>
              <Button variant="outline-primary" disabled={busy} data-testid="exam-continue" onClick={() => void run(() => act(attempt.id, 'start'), false)}>
                {intl.formatMessage(messages.submitNo)}
              </Button>
            </div>
          </>
        )}
        {screen === 'submitted' && (
          <>
            <h2 className="h3" ref={heading} tabIndex={-1}>{intl.formatMessage(messages.submittedTitle)}</h2>
            <p className="mb-0">{intl.formatMessage(messages.submittedBody)}</p>
          </>
        )}
        {screen === 'timed_out' && (
          <>
            <h2 className="h3" ref={heading} tabIndex={-1}>{intl.formatMessage(messages.timedOutTitle)}</h2>
            <p className="mb-0">{intl.formatMessage(messages.timedOutBody)}</p>
          </>
        )}
        {screen === 'expired' && (
          <>
            <h2 className="h3" ref={heading} tabIndex={-1}>{intl.formatMessage(messages.expiredTitle)}</h2>
            <p className="mb-0">{intl.formatMessage(messages.expiredBody)}</p>
          </>
        )}
        {screen === 'error' && <h2 className="h3" ref={heading} tabIndex={-1}>{intl.formatMessage(messages.errorTitle)}</h2>}
      </section>
    </>
  );
}

const VARIANT: Record<TimerLevel, string> = { normal: 'info', low: 'warning', critical: 'danger', zero: 'danger', over: 'danger' };

/** The countdown bar (ExamTimerBlock, CountDownTimer): hh:mm:ss, warnings, End My Exam. */
function TimerBar({
  exam, deadline, showEnd, busy, onEnd, onExpire,
}: {
  exam: Exam; deadline: number; showEnd: boolean; busy: boolean; onEnd: () => void; onExpire: () => void;
}) {
  const intl = useIntl();
  const attempt = exam.attempt!;
  const [now, setNow] = useState(() => Date.now());
  const [more, setMore] = useState(false);
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(id);
  }, []);
  const left = secondsLeft(deadline, now);
  const level = timerLevel(left, attempt.lowThreshold, attempt.criticalThreshold);
  const expired = useRef(false);
  const expire = useRef(onExpire);
  expire.current = onExpire;
  useEffect(() => {
    if (level === 'over' && !expired.current) {
      expired.current = true;
      expire.current();
    }
  }, [level]);
  // The live region speaks once per warning level, not every second.
  const warning = level === 'low'
    ? intl.formatMessage(messages.low, { minutes: minutesCeil(attempt.lowThreshold) })
    : level === 'critical'
      ? intl.formatMessage(messages.critical, { minutes: minutesCeil(attempt.criticalThreshold) })
      : level === 'zero' || level === 'over' ? intl.formatMessage(messages.zero) : '';
  return (
    <Alert variant={VARIANT[level]} className="larch-exam-timer mt-3" data-testid="exam-timer" data-level={level}>
      <div className="d-flex flex-wrap justify-content-between align-items-start larch-gap">
        <div>
          {intl.formatMessage(messages.timerText, { name: attempt.displayName || exam.name, type: attempt.examType })}{' '}
          {more && <span>{intl.formatMessage(messages.timerMore)} </span>}
          <Button variant="link" size="inline" aria-expanded={more} onClick={() => setMore(!more)}>
            {intl.formatMessage(more ? messages.showLess : messages.showMore)}
          </Button>
        </div>
        <div className="d-flex align-items-center justify-content-end larch-gap ms-auto" role="group" aria-label={intl.formatMessage(messages.timerRegion)}>
          {showEnd && (
            <Button variant="outline-primary" disabled={busy} data-testid="exam-end" onClick={onEnd}>
              {intl.formatMessage(messages.endButton)}
            </Button>
          )}
          <span className="larch-exam-clock" role="timer" aria-label={intl.formatMessage(messages.timeLeft, { time: humanizeTime(Math.max(0, left)) })}>
            {formatClock(left)}
          </span>
        </div>
      </div>
      <p className="sr-only" role="status" aria-live="assertive" data-testid="exam-announce">{warning}</p>
    </Alert>
  );
}
