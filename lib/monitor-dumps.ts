// Dumps on a monitor's own socket (<linux/netlink.h> NLM_F_DUMP, NLMSG_DONE, NLM_F_DUMP_INTR),
// one at a time as the kernel requires. Unlike the request engine, a dump here survives the
// kernel's ENOBUFS answer to its request: a dump started on a congested socket is refused with
// NLMSG_ERROR ENOBUFS yet keeps running (cb_running) and delivers its replies once the socket is
// read, so that error is ignored and the replies are awaited.
import { NlWriter } from './core/attr.js';
import { NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR, rtmName } from './core/constants.js';
import { DumpInterruptedError, NetlinkError } from './core/errors.js';
import { parseDone, parseError, type NlMsg } from './core/nlmsg.js';
import type { DumpBody } from './monitor-kinds.js';

const ENOBUFS = 105;

export interface DumpJob {
  type: number;
  body: DumpBody;
  subject: string;
  /** A reply. Replies flagged NLM_F_DUMP_INTR are withheld and the dump is made again. */
  onMessage(m: NlMsg): void;
  /** Before an interrupted dump is made again: forget what it gave. */
  onRestart?(): void;
  onDone(err: Error | null): void;
  /** Set once the dump's first reply arrived: what the socket delivered before it is older than the dump. */
  started?: boolean;
}

interface Running {
  job: DumpJob;
  seq: number;
  sendId: number;
  intr: boolean;
  attempts: number;
}

export class DumpQueue {
  private readonly jobs: DumpJob[] = [];
  private running: Running | undefined;
  private seq = (Math.random() * 0x7fffffff) >>> 0;
  private readonly w = new NlWriter(256);

  constructor(
    private readonly send: (buf: Buffer) => number,
    private readonly retries = 50,
  ) {}

  add(job: DumpJob): void {
    this.jobs.push(job);
    if (!this.running) this.next();
  }

  /** Drops the queued (unsent) jobs that `drop` selects; they are not completed. */
  cancel(drop: (job: DumpJob) => boolean): void {
    for (let i = this.jobs.length - 1; i >= 0; i--) if (drop(this.jobs[i]!)) this.jobs.splice(i, 1);
  }

  /** A message from the kernel to this socket's port (a reply, not an event). */
  receive(m: NlMsg): void {
    const r = this.running;
    if (!r || m.seq !== r.seq) return; // a reply to a dump given up on
    if (m.type === NLMSG_ERROR) {
      const { error, extack } = parseError(m);
      if (error === 0 || -error === ENOBUFS) return;
      this.finish(new NetlinkError({ errno: -error, op: rtmName(r.job.type), subject: r.job.subject, extack }));
    } else if (m.type === NLMSG_DONE) {
      r.job.started = true;
      const { error, extack } = parseDone(m);
      if (error !== 0)
        this.finish(new NetlinkError({ errno: -error, op: rtmName(r.job.type), subject: r.job.subject, extack }));
      else if (r.intr || (m.flags & NLM_F_DUMP_INTR) !== 0) this.restart(r);
      else this.finish(null);
    } else {
      r.job.started = true;
      if ((m.flags & NLM_F_DUMP_INTR) !== 0) r.intr = true;
      if (!r.intr) r.job.onMessage(m);
    }
  }

  /** sendmsg of the buffer `sendId` failed. */
  sendFailed(sendId: number, errno: number): void {
    const r = this.running;
    if (r && r.sendId === sendId)
      this.finish(new NetlinkError({ errno, op: rtmName(r.job.type), subject: r.job.subject }));
  }

  close(): void {
    this.jobs.length = 0;
    this.running = undefined;
  }

  private next(): void {
    const job = this.jobs.shift();
    if (!job) return;
    this.running = { job, seq: 0, sendId: 0, intr: false, attempts: 0 };
    this.start(this.running);
  }

  private start(r: Running): void {
    const w = this.w;
    r.seq = this.seq = (this.seq + 1) >>> 0 || 1;
    r.intr = false;
    const at = w.beginMessage(r.job.type, NLM_F_REQUEST | NLM_F_DUMP, r.seq);
    r.job.body.write(w);
    w.endMessage(at);
    r.sendId = this.send(w.take());
  }

  private restart(r: Running): void {
    if (++r.attempts > this.retries) {
      this.finish(new DumpInterruptedError(r.job.subject, r.attempts));
      return;
    }
    r.job.onRestart?.();
    this.start(r);
  }

  private finish(err: Error | null): void {
    const job = this.running?.job;
    this.running = undefined;
    job?.onDone(err);
    if (!this.running) this.next();
  }
}
