/**
 * Reads the runner's file-command format (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV):
 * `name=value` lines and `name<<DELIMITER` ... `DELIMITER` blocks.
 */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delimiter] = heredoc;
      const body: string[] = [];
      for (index++; index < lines.length && lines[index] !== delimiter; index++) body.push(lines[index] ?? '');
      if (index >= lines.length) throw new Error(`unterminated ${name}<<${delimiter} block`);
      values[name] = body.join('\n');
      continue;
    }
    const at = line.indexOf('=');
    if (at <= 0) throw new Error(`malformed file-command line: ${line}`);
    values[line.slice(0, at)] = line.slice(at + 1);
  }
  return values;
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

const unescapeData = (text: string) => text.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%25', '%');
const unescapeProperty = (text: string) => unescapeData(text).replaceAll('%3A', ':').replaceAll('%2C', ',');

/** `::name key=value,key=value::message` lines written to stdout. */
export function parseWorkflowCommand(line: string): WorkflowCommand | undefined {
  const match = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!match) return undefined;
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) properties[pair.slice(0, at)] = unescapeProperty(pair.slice(at + 1));
  }
  return { command: match[1] ?? '', properties, message: unescapeData(match[3] ?? '') };
}
