/**
 * A progress bar for long loops (an epoch of training, a benchmark):
 *
 *   epoch 2/5 [██████████░░░░░░░░░░]  52%  28,600/55,000  loss 0.0841  1,530 img/s  ETA 0:17
 *
 * On a terminal it redraws one line in place (at most ~10 times a second).
 * When the output is not a terminal (a pipe, a file, a CI log) or CI=true,
 * redrawing would fill the log with carriage returns, so it prints a plain
 * line each time another 10% is done instead.
 *
 *   const bar = new ProgressBar({ total: 55000, label: 'epoch 1/3', unit: 'img' });
 *   bar.update(done, { loss: '0.0841' });
 *   bar.finish();           // clears the bar on a terminal, so the caller prints a summary line
 */

export interface ProgressOptions {
  /** Amount of work, in `unit`s (images, iterations, ...); > 0. */
  total: number;
  /** Text before the bar, e.g. "epoch 1/3". */
  label?: string;
  /** Name of one unit, for the rate: "img" gives "1,530 img/s". */
  unit?: string;
  /** Where to write (default process.stderr, so stdout stays clean for results). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Redraw in place (true) or print a line every `step` (false). Default: a TTY and not CI. */
  interactive?: boolean;
  /** Fraction of the total between two plain lines when not interactive (default 0.1). */
  step?: number;
  /** Width of the bar in characters (default 24). */
  width?: number;
  /** Clock in milliseconds (tests pass a fake one). */
  now?: () => number;
}

/** Whether output to `stream` can redraw in place: a terminal, and not a CI run. */
export function isInteractive(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
  return stream.isTTY === true && !ci && env.TERM !== 'dumb';
}

/** Seconds as "0:07", "3:25" or "1:02:03". Unknown (NaN, Infinity): "--:--". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** 1234567 -> "1,234,567" (independent of the machine's locale). */
export function groupThousands(n: number): string {
  const [whole, fraction] = String(n).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** A bar of `width` cells, `fraction` (clamped to [0, 1]) of them full. */
export function renderBar(fraction: number, width: number): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

export class ProgressBar {
  private readonly total: number;
  private readonly label: string;
  private readonly unit: string;
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  private readonly interactive: boolean;
  private readonly step: number;
  private readonly width: number;
  private readonly now: () => number;
  private readonly start: number;
  private lastDraw = -Infinity;
  private nextStep: number;
  private drawn = false;
  private done = 0;
  private fields: Record<string, string> = {};

  constructor(options: ProgressOptions) {
    if (!(options.total > 0) || !Number.isFinite(options.total)) {
      throw new RangeError(`ProgressBar: total must be a number > 0, got ${options.total}`);
    }
    this.total = options.total;
    this.label = options.label ?? '';
    this.unit = options.unit ?? 'it';
    this.stream = options.stream ?? process.stderr;
    this.interactive = options.interactive ?? isInteractive(this.stream);
    this.step = options.step ?? 0.1;
    this.width = options.width ?? 24;
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
    this.nextStep = this.step;
  }

  /** Seconds since the bar was created. */
  get elapsedSeconds(): number {
    return (this.now() - this.start) / 1000;
  }

  /** Units per second so far. */
  get rate(): number {
    const elapsed = this.elapsedSeconds;
    return elapsed > 0 ? this.done / elapsed : 0;
  }

  /**
   * Reports that `done` units of `total` are finished; `fields` are shown
   * after the counts ("loss 0.0841"). Draws when due.
   */
  update(done: number, fields: Record<string, string> = {}): void {
    this.done = Math.min(done, this.total);
    this.fields = fields;
    const fraction = this.done / this.total;
    if (this.interactive) {
      const t = this.now();
      if (t - this.lastDraw < 100 && this.done < this.total) return;
      this.lastDraw = t;
      this.redraw(this.line(true, this.stream.columns ?? 80));
    } else if (fraction + 1e-12 >= this.nextStep) {
      while (this.nextStep <= fraction + 1e-12) this.nextStep += this.step;
      // Logs are read at 80 columns too.
      this.stream.write(`${this.line(false, 81)}\n`);
    }
  }

  /**
   * The current line: label, bar (interactive only), percent, counts,
   * fields, rate, ETA. When it is wider than `columns`, the bar shrinks
   * first, then the counts, the rate and the fields go, in that order; the
   * ETA stays to the end.
   */
  line(withBar: boolean, columns = Infinity): string {
    const fraction = this.done / this.total;
    const rate = this.rate;
    const eta = rate > 0 ? (this.total - this.done) / rate : NaN;
    const build = (barWidth: number, drop: string[]): string =>
      [
        this.label,
        withBar && barWidth > 0 ? `[${renderBar(fraction, barWidth)}]` : '',
        `${Math.floor(fraction * 100)}%`.padStart(4),
        drop.includes('counts') ? '' : `${groupThousands(this.done)}/${groupThousands(this.total)}`,
        ...(drop.includes('fields') ? [] : Object.entries(this.fields).map(([k, v]) => `${k} ${v}`)),
        drop.includes('rate') ? '' : `${groupThousands(Math.round(rate))} ${this.unit}/s`,
        this.done >= this.total ? `took ${formatDuration(this.elapsedSeconds)}` : `ETA ${formatDuration(eta)}`,
      ]
        .filter((p) => p !== '')
        .join('  ');
    const narrow = Math.min(this.width, 10);
    const attempts: [number, string[]][] = [
      [this.width, []],
      [narrow, []],
      [narrow, ['counts']],
      [narrow, ['counts', 'rate']],
      [0, ['counts', 'rate']],
      [0, ['counts', 'rate', 'fields']],
    ];
    for (const [barWidth, drop] of attempts) {
      const text = build(barWidth, drop);
      if (text.length < columns) return text;
    }
    return build(0, ['counts', 'rate', 'fields']);
  }

  /** Ends the bar: on a terminal the line is cleared so the caller can print a summary in its place. */
  finish(): void {
    if (this.interactive && this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }

  private redraw(text: string): void {
    const columns = this.stream.columns;
    const fitted = columns !== undefined && columns > 1 && text.length >= columns ? `${text.slice(0, columns - 2)}…` : text;
    this.stream.write(`\r\x1b[2K${fitted}`);
    this.drawn = true;
  }
}
