// Global setup of the log-scan project: it runs in the same vitest main process as the suite's
// setup, so it names the same per-run directory (the suite's teardown removes it).
import type { TestProject } from 'vitest/node';
import { suiteLogDirectoryOf } from './suite-log.js';

export default function setup(project: TestProject) {
  project.provide('suiteLogDirectory', suiteLogDirectoryOf(process.pid));
}
