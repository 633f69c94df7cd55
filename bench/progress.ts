// A one-line progress bar on stderr: steps are tool phases, the label says which N, run, tool and
// phase is running, and the time so far. On a non-terminal stderr (CI logs) it prints one line per
// tool run instead of redrawing.
export class Progress {
  private done = 0;
  private label = '';
  private readonly t0 = Date.now();
  private readonly tty = process.stderr.isTTY === true;
  private lastLine = '';

  constructor(private total: number) {}

  /** Grows the total (a tool skipped after it was counted shrinks it with a negative n). */
  addTotal(n: number): void {
    this.total = Math.max(this.done, this.total + n);
  }

  /** Counts one step done and shows the next label. */
  step(label: string, count = 1): void {
    this.done += count;
    this.show(label);
  }

  show(label: string): void {
    this.label = label;
    if (this.tty) this.draw();
  }

  /** A line that stays (printed above the bar). */
  log(line: string): void {
    if (this.tty) process.stderr.write('\r\x1b[K');
    process.stderr.write(line + '\n');
    if (this.tty) this.draw();
  }

  /** Announces a tool run on a non-terminal (where the bar is not drawn). */
  note(line: string): void {
    if (!this.tty && line !== this.lastLine) {
      this.lastLine = line;
      process.stderr.write(`[${this.elapsed()}] ${line}\n`);
    }
  }

  end(): void {
    if (this.tty) process.stderr.write('\r\x1b[K');
  }

  private elapsed(): string {
    const s = Math.round((Date.now() - this.t0) / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }

  private draw(): void {
    const width = 28;
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 0;
    const fill = Math.round(frac * width);
    const cols = process.stderr.columns || 100;
    const line = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(Math.round(frac * 100)).padStart(3)}% ${this.elapsed()} ${this.label}`;
    process.stderr.write(`\r\x1b[K${line.slice(0, cols - 1)}`);
  }
}
