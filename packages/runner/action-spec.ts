import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface ActionSpec {
  name?: string;
  description?: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: string | number | boolean }>;
  outputs?: Record<string, { description?: string }>;
  runs: { using?: string; main: string; post?: string };
}

/** An action's action.yml. */
export function readActionSpec(root: string, action: string): ActionSpec {
  return parse(readFileSync(join(root, action, 'action.yml'), 'utf8')) as ActionSpec;
}

/** The root folders that hold an action.yml, sorted. */
export function actionNames(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'action.yml')))
    .map((entry) => entry.name)
    .sort();
}
