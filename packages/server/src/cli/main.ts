// `sightline` command-line entry: parses flags, runs a subcommand, turns failures into one line.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SightlineError } from '../model/errors.js';
import { OPTIONS } from './flags.js';
import { HELP } from './help.js';


function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Edits between two short strings (for "did you mean"). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}

/**
 * parseArgs' message in our words: its unknown-option text ends in an unbalanced quote and a
 * lesson on "--"; ours names the option and the nearest real one.
 */
function parseProblem(err: Error & { code?: string }): string {
  const unknown = err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /Unknown option '([^']+)'/.exec(err.message)?.[1] : undefined;
  if (unknown === undefined) return err.message.split('\n')[0]!;
  const name = unknown.replace(/^-+/, '');
  const near = Object.keys(OPTIONS)
    .map((o) => ({ o, d: distance(name, o) }))
    .filter(({ o, d }) => d <= (o.length <= 3 ? 1 : 2))
    .sort((a, b) => a.d - b.d)[0];
  return `unknown option '${unknown}'${near ? `; did you mean '--${near.o}'?` : ''}`;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    console.error(`sightline: ${parseProblem(err as Error & { code?: string })} (see sightline --help)`);
    return 2;
  }
  const { values: flags, positionals } = parsed;
  if (flags.version) {
    console.log(version());
    return 0;
  }
  const [command, ...rest] = positionals;
  if (flags.help || command === undefined || command === 'help') {
    console.log(HELP);
    return command === undefined && !flags.help ? 2 : 0;
  }
  try {
    // Each command loads only its own modules: a client command need not load the server, DuckDB
    // or the MCP SDK, which takes seconds on a busy machine.
    switch (command) {
      case 'serve':
        return await (await import('./serve.js')).runServe(flags, env);
      case 'demo':
        return await (await import('./demo.js')).runDemo(flags, env);
      case 'keys':
        return await (await import('./keys.js')).runKeys(rest, flags, env);
      case 'tail':
        return await (await import('./tail.js')).runTail(flags, env);
      case 'query':
        return await (await import('./query.js')).runQuery(rest, flags, env);
      case 'status':
        return await (await import('./status.js')).runStatus(flags, env);
      case 'doctor':
        return await (await import('./doctor.js')).runDoctor(flags, env);
      case 'export':
        return await (await import('./export.js')).runExport(flags, env);
      case 'import':
        return await (await import('./import.js')).runImport(rest, flags, env);
      case 'mcp':
        return await (await import('./mcp.js')).runMcp(flags, env);
      default:
        console.error(`sightline: unknown command "${command}" (see sightline --help)`);
        return 2;
    }
  } catch (err) {
    if (err instanceof SightlineError) {
      console.error(`sightline: ${err.message}`);
      return err.code === 'CONFIG_INVALID' ? 2 : 1;
    }
    throw err;
  }
}
