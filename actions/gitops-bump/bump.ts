import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../../packages/shared/errors.js';
import { confinedPath } from '../../packages/shared/paths.js';
import type { BumpConfig } from './config.js';
import { describeImage } from './image-spec.js';
import type { Workspace } from './workspace.js';
import { applyEdits, planImageEdits, planSetEdit, type TextEdit } from './yaml-edit.js';
import { globList } from '../../packages/shared/glob.js';

export interface BumpResult {
  changedFiles: string[];
  edits: { file: string; where: string }[];
}

/** The files the globs select, from git's own list (so ignored and untracked files never count). */
export async function selectFiles(workspace: Workspace, globs: readonly string[]): Promise<string[]> {
  const tracked = (await workspace.git.out(['ls-files', '-z'])).split('\0').filter(Boolean);
  const matches = globList(globs);
  return tracked.filter((file) => matches(file));
}

/**
 * Edits the checkout's files in place. Every image must be found in some file: a typo in
 * an image name is an error, not a silent no-op.
 */
export async function applyBump(workspace: Workspace, config: BumpConfig): Promise<BumpResult> {
  const files = await selectFiles(workspace, config.files);
  if (config.images.length > 0 && files.length === 0)
    throw new Error(`files (${config.files.join(', ')}) matched no file in ${config.branch}`);
  const found = new Set<string>();
  const result: BumpResult = { changedFiles: [], edits: [] };
  const setFiles = [...new Set(config.sets.map((set) => set.file))];
  for (const file of [...new Set([...files, ...setFiles])]) {
    const path = cloneFile(workspace, file, files.includes(file) ? 'files' : 'set');
    let source: string;
    try {
      source = readFileSync(path, 'utf8');
    } catch {
      throw new Error(`set names ${file}, which is not in ${config.branch}`);
    }
    const edits: TextEdit[] = [];
    if (files.includes(file)) {
      const plan = planImageEdits(source, config.images, file);
      for (const name of plan.found) found.add(name);
      edits.push(...plan.edits);
    }
    for (const set of config.sets.filter((entry) => entry.file === file))
      edits.push(planSetEdit(source, set.path, set.value, file));
    const edited = applyEdits(source, edits);
    if (edited !== source) {
      writeFileSync(path, edited);
      result.changedFiles.push(file);
      result.edits.push(...edits.filter((edit) => edit.end > edit.start).map((edit) => ({ file, where: edit.where })));
    }
  }
  const missing = config.images.filter((image) => !found.has(image.name));
  if (missing.length > 0) {
    throw new Error(`no reference to ${missing.map((image) => image.name).join(', ')} in ${files.join(', ')}`);
  }
  return result;
}

/**
 * A file of the clone to edit: inside it as written, and a regular file, never a symbolic
 * link, which could lead the write anywhere on the runner (git tracks the link, not its target).
 */
function cloneFile(workspace: Workspace, file: string, input: string): string {
  const path = confinedPath(input, file, { roots: [workspace.dir] });
  if (existsSync(path) && lstatSync(path).isSymbolicLink()) {
    throw new InputError(input, `names ${file}, a symbolic link in the GitOps repository; only regular files are edited`);
  }
  return path;
}

export function imagesSummary(config: BumpConfig): string {
  return (
    config.images.map(describeImage).join(', ') || config.sets.map((set) => `${set.file}:${set.path}=${set.value}`).join(', ')
  );
}

/** The commit message with placeholders filled, and the trailers that make the log an audit trail. */
export function commitArgs(config: BumpConfig, runUrl: string, sha: string): string[] {
  const message = config.commitMessage
    .replaceAll('{images}', imagesSummary(config))
    .replaceAll('{sha}', sha)
    .replaceAll('{run-url}', runUrl);
  const imagesTrailer = config.images
    .map((image) => (image.digest ? `${image.name}@${image.digest}` : `${image.name}=${image.tag ?? ''}`))
    .join(', ');
  return [
    'commit',
    '--quiet',
    '--no-verify',
    '-m',
    message,
    '--trailer',
    `Deploy-Actions-Images: ${imagesTrailer || '(set only)'}`,
    '--trailer',
    `Deploy-Actions-Run: ${runUrl}`,
  ];
}
