/**
 * Progress of long local work (seeding, training): on a terminal, one live bar per phase with its
 * count and time left (cli-progress); elsewhere (CI, a pipe), one plain line per finished phase.
 */
import cliProgress from 'cli-progress';

export interface PhaseProgress {
  /** Adds `n` done units. */
  advance(n: number): void;
  /** Ends the phase with a short summary (`1,200 items in 0.8 s`). */
  done(summary: string): void;
  /** Ends the phase as failed, with the reason in one line. */
  fail(reason: string): void;
}

export interface Progress {
  /** Starts a phase; `total` units when countable (a bar with time left), else elapsed time only. */
  phase(name: string, total?: number, unit?: string): PhaseProgress;
  /** Prints a line above the bars. */
  line(text: string): void;
  stop(): void;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Live bars on a TTY, plain lines otherwise. */
export function createProgress(stream: NodeJS.WriteStream = process.stdout): Progress {
  return stream.isTTY ? barProgress(stream) : lineProgress(stream);
}

function lineProgress(stream: NodeJS.WriteStream): Progress {
  return {
    phase: (name) => {
      const started = Date.now();
      return {
        advance: () => {},
        done: (summary) => stream.write(`${name}: ${summary} (${seconds(Date.now() - started)})\n`),
        fail: (reason) => stream.write(`${name}: FAILED ${reason}\n`),
      };
    },
    line: (text) => stream.write(`${text}\n`),
    stop: () => {},
  };
}

function barProgress(stream: NodeJS.WriteStream): Progress {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      clearOnComplete: false,
      hideCursor: true,
      autopadding: true,
      format: (options, params, payload) => {
        const label = String(payload.name).padEnd(24);
        if (payload.final) return `${label} ${payload.final}`;
        const elapsed = seconds(Date.now() - payload.started);
        if (!payload.countable)
          return `${label} ${'.'.repeat(1 + (Math.floor(Date.now() / 500) % 3)).padEnd(3)} ${elapsed}`;
        const bar = cliProgress.Format.BarFormat(params.progress, options);
        const left = params.eta > 0 && Number.isFinite(params.eta) ? `, ${params.eta} s left` : '';
        return `${label} ${bar} ${params.value.toLocaleString('en')}/${params.total.toLocaleString('en')} ${payload.unit}${left}`;
      },
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    phase: (name, total, unit = '') => {
      const started = Date.now();
      const bar = bars.create(total ?? 1, 0, {
        name,
        unit,
        started,
        countable: total !== undefined,
        final: '',
      });
      return {
        advance: (n) => bar.increment(n),
        done: (summary) => {
          bar.update(total ?? 1, { final: `${summary} (${seconds(Date.now() - started)})` });
          bar.stop();
        },
        fail: (reason) => {
          bar.update({ final: `FAILED ${reason}` });
          bar.stop();
        },
      };
    },
    line: (text) => bars.log(`${text}\n`),
    stop: () => bars.stop(),
  };
}
