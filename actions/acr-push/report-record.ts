// What a build tells the release report: for each image, a `{ phases, services }` file in
// the folder deploy-report reads as its report-dir. A matrix leg has no outputs of its own,
// so this file (uploaded as an artifact) is how its phase and digest reach the report job;
// writing it here keeps the build job free of scripts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageRef } from '../../packages/shared/image-ref.js';
import { buildStep } from './build-step.js';
import type { AcrPushConfig, BuildTarget } from './config.js';

export interface BuildRecord {
  registry: string;
  builds: readonly BuildTarget[];
  /** The first tag pushed: the image each service is reported as. */
  tag: string;
  /** Digest by repository, of the builds that finished. */
  digests: Readonly<Record<string, string>>;
  started: Date;
  finished: Date;
  result: 'success' | 'failure';
}

/** ISO 8601 to the second, as the runner's own times. */
const iso = (date: Date): string => date.toISOString().replace(/\.\d+Z$/, 'Z');

/** One file per service, `build-<service>.json`; returns the paths written. */
export function writeBuildRecords(dir: string, record: BuildRecord): string[] {
  mkdirSync(dir, { recursive: true });
  return record.builds.map((build) => {
    const digest = record.digests[build.repository];
    const content = {
      phases: [
        { name: `build ${build.service}`, started: iso(record.started), finished: iso(record.finished), result: record.result },
      ],
      services: [
        { service: build.service, image: imageRef(record.registry, build.repository, record.tag), ...(digest ? { digest } : {}) },
      ],
    };
    const path = join(dir, `build-${build.service}.json`);
    writeFileSync(path, `${JSON.stringify(content)}\n`);
    return path;
  });
}

/** buildStep, and with report-dir the record of each build for the report, failed ones too. */
export async function recordedBuild(config: AcrPushConfig, tags: string[]): ReturnType<typeof buildStep> {
  const started = new Date();
  let result: Awaited<ReturnType<typeof buildStep>> | undefined;
  try {
    result = await buildStep(config, tags);
    return result;
  } finally {
    if (config.reportDir !== undefined) {
      writeBuildRecords(config.reportDir, {
        registry: config.registry,
        builds: config.builds,
        tag: tags[0] ?? '',
        digests: result?.digests ?? {},
        started,
        finished: new Date(),
        result: result ? 'success' : 'failure',
      });
    }
  }
}
