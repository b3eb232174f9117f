/**
 * The cases `npm run compare` runs, in exercise order. Each exercise's cases
 * live in scripts/compare/cases-*.ts; what a case is, in scripts/compare/kit.ts.
 */
import { conv2dCases } from './compare/cases-conv2d';
import { modelCases } from './compare/cases-models';
import { poolCases } from './compare/cases-pools';
import { prerequisiteCases } from './compare/cases-prerequisites';
import { classifierCases } from './compare/cases-classifier';
import type { CompareCase } from './compare/kit';

export const compareCases: CompareCase[] = [...prerequisiteCases, ...conv2dCases, ...poolCases, ...classifierCases, ...modelCases];
