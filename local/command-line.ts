/**
 * The command line of every Marquee command (`npm start`, `npm run import|evaluate|retrain|bench`):
 * node:util's parseArgs in strict mode, a generated `--help`, typed values checked once, and every
 * mistake reported in one line with a non-zero exit, never a stack trace.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean' | 'integer' | 'number';
  description: string;
  /** Shown in the help, e.g. `DIR` or `N`. */
  placeholder?: string;
  default?: string | boolean | number;
  /** Allowed values of a string option. */
  choices?: readonly string[];
  /** Bounds of a numeric option (inclusive). */
  min?: number;
  max?: number;
  short?: string;
}

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  /** As the user types it, e.g. `npm start` or `npm run evaluate --`. */
  usage: string;
  summary: string;
  options: O;
  /** Positional arguments (e.g. bench suites); absent: none accepted. */
  positionals?: { placeholder: string; description: string; choices?: readonly string[] };
  examples?: readonly string[];
}

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['type'] extends 'integer' | 'number'
    ? number
    : string;

export type ParsedOptions<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K]['default'] extends undefined ? ValueOf<O[K]> | undefined : ValueOf<O[K]>;
};

/** A mistake on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** The option every command that touches local state takes. */
export const stateOption = {
  type: 'string',
  placeholder: 'DIR',
  description: 'local state folder (default .marquee/state)',
} as const satisfies OptionSpec;

/** The help text of a command, generated from its spec. */
export function helpText(spec: CommandSpec<Record<string, OptionSpec>>): string {
  const rows = Object.entries(spec.options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'boolean' ? '' : ` ${option.placeholder ?? (option.type === 'string' ? 'VALUE' : 'N')}`}`;
    const extras = [
      option.choices ? `one of ${option.choices.join(', ')}` : '',
      option.default !== undefined && option.type !== 'boolean' ? `default ${option.default}` : '',
    ].filter(Boolean);
    return [flag, `${option.description}${extras.length ? ` (${extras.join('; ')})` : ''}`];
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  const lines = [
    `usage: ${spec.usage}${Object.keys(spec.options).length ? ' [options]' : ''}${spec.positionals ? ` [${spec.positionals.placeholder}...]` : ''}`,
    '',
    spec.summary,
  ];
  if (spec.positionals) {
    const choices = spec.positionals.choices ? ` (${spec.positionals.choices.join(', ')})` : '';
    lines.push('', `${spec.positionals.placeholder}: ${spec.positionals.description}${choices}`);
  }
  lines.push('', 'options:', ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`));
  if (spec.examples?.length) lines.push('', 'examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/**
 * Parses `argv` against `spec`. Throws UsageError (one line) for an unknown option, a missing or
 * malformed value, or a value out of range; returns `help: true` when --help was asked for.
 */
export function parseCommandLine<O extends Record<string, OptionSpec>>(
  spec: CommandSpec<O>,
  argv: readonly string[],
): { help: boolean; options: ParsedOptions<O>; positionals: string[] } {
  const parseOptions: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, option] of Object.entries(spec.options))
    parseOptions[name] = {
      type: option.type === 'boolean' ? 'boolean' : 'string',
      ...(option.short ? { short: option.short } : {}),
    };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: parseOptions,
      strict: true,
      allowPositionals: Boolean(spec.positionals),
    });
  } catch (error) {
    throw new UsageError(readableParseError(error as Error & { code?: string }));
  }
  if (parsed.values.help) return { help: true, options: {} as ParsedOptions<O>, positionals: [] };
  const options: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(spec.options))
    options[name] = checkedValue(name, option, parsed.values[name]);
  const positionals = parsed.positionals;
  const allowed = spec.positionals?.choices;
  const unknown = allowed ? positionals.filter((p) => !allowed.includes(p)) : [];
  if (unknown.length > 0)
    throw new UsageError(
      `unknown ${spec.positionals!.placeholder.toLowerCase()} '${unknown[0]}'; choose from ${allowed!.join(', ')}`,
    );
  return { help: false, options: options as ParsedOptions<O>, positionals };
}

function checkedValue(name: string, option: OptionSpec, raw: unknown): unknown {
  if (raw === undefined) return option.default;
  if (option.type === 'boolean') return raw;
  const text = String(raw);
  if (option.type === 'string') {
    if (text === '') throw new UsageError(`--${name} needs a value`);
    if (option.choices && !option.choices.includes(text))
      throw new UsageError(`--${name} must be one of ${option.choices.join(', ')}, got '${text}'`);
    return text;
  }
  const value = Number(text);
  const kind = option.type === 'integer' ? 'a whole number' : 'a number';
  if (
    text.trim() === '' ||
    !Number.isFinite(value) ||
    (option.type === 'integer' && !Number.isInteger(value))
  )
    throw new UsageError(`--${name} must be ${kind}, got '${text}'`);
  if (option.min !== undefined && value < option.min)
    throw new UsageError(`--${name} must be at least ${option.min}, got ${text}`);
  if (option.max !== undefined && value > option.max)
    throw new UsageError(`--${name} must be at most ${option.max}, got ${text}`);
  return value;
}

function readableParseError(error: Error & { code?: string }): string {
  // parseArgs messages name the option but append advice about '--' that does not apply here.
  const first = error.message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '');
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return first.replace(/^Unknown option/, 'unknown option');
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return first.replace(/^Unexpected argument/, 'unexpected argument');
  return first;
}

/**
 * Runs a command's main: parses its command line, prints --help, and turns a UsageError or any
 * other failure into one line on stderr (`<name>: message`) with exit code 2 or 1.
 */
export async function runCommand<O extends Record<string, OptionSpec>>(
  name: string,
  spec: CommandSpec<O>,
  main: (options: ParsedOptions<O>, positionals: string[]) => Promise<void>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  try {
    const { help, options, positionals } = parseCommandLine(spec, argv);
    if (help) {
      console.log(helpText(spec as CommandSpec<Record<string, OptionSpec>>));
      return;
    }
    await main(options, positionals);
  } catch (error) {
    const usage = error instanceof UsageError;
    console.error(`${name}: ${(error as Error).message ?? error}${usage ? ' (see --help)' : ''}`);
    if (process.env.MARQUEE_DEBUG && !usage) console.error((error as Error).stack);
    process.exitCode = usage ? 2 : 1;
  }
}

/** The state folder a command uses: --state, or the default beside the repository. */
export const stateDirOf = (state: string | undefined, defaultDir: string): string =>
  path.resolve(state ?? defaultDir);
