/**
 * The mock swaram server: start it, script it, break it on cue. See docs/mock-server.md.
 */
export {
  startMockServer,
  DEFAULT_TEST_KEY,
  type MockServer,
  type MockServerOptions,
  type SessionInfo,
  type SessionSummary,
  type ConnectionEvent,
  type ControlEvent,
} from './mock-server.js';
export { realClock, FakeClock, type Clock, type TimerHandle } from './clock.js';
export { Scheduler, type LatenessStats, type ScheduledTask } from './scheduler.js';
export { EnergyVad, VAD_DEFAULTS, type VadEvent, type VadOptions } from './vad.js';
export {
  faultSchema,
  type Fault,
  type FaultAction,
  type FaultTrigger,
} from '../protocol/fixture/fault-schema.js';
export {
  parseFault,
  checkFault,
  FaultSyntaxError,
  FAULT_SYNTAX_HELP,
} from '../protocol/fixture/parse-fault.js';
export type { WireFrame } from './frame-log.js';
export type {
  FrameFilter,
  JournalFrame,
  JournalOptions,
  SessionRecord,
  WaitedFrame,
  WaitForOptions,
} from './journal.js';
export type { Mode, SessionStats } from './session.js';
export {
  startRecorder,
  RecorderError,
  RecorderErrorCode,
  type RecorderOptions,
  type Recorder,
  type RecordedFixture,
  type RecordedViolation,
} from './recorder/recorder.js';
