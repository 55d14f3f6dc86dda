import { performance } from 'node:perf_hooks';

/**
 * When the extension bundle started evaluating: the first module extension.ts imports, so
 * esbuild places it before every other module's top level. Activation logs how long loading
 * the bundle took before `activate` was called (see BENCHMARKS.md, editor activation).
 */
export const bundleEvaluationStarted = performance.now();
