// The one argv walker of the CLI's commands: `--name value`, `--name=value`, flags and positional arguments.

/**
 * Calls `onArg` for every argument. `take()` returns the option's value (inline after `=`, or the next argument)
 * and throws `usage(message)` when it is missing; `-` alone is a value (stdin), not an option.
 */
export function walkArgs(argv: string[], usage: (message: string) => Error, onArg: (arg: string, take: () => string) => void): void {
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.includes('=')) { inline = arg.slice(arg.indexOf('=') + 1); arg = arg.slice(0, arg.indexOf('=')); }
    const name = arg;
    onArg(arg, () => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined || (v.startsWith('--') && v !== '-')) throw usage(`${name} needs a value`);
      i++;
      return v;
    });
  }
}
