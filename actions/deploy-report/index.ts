import { runAction } from '../../packages/shared/run-action.js';
import { main } from './main.js';

await runAction('deploy-report', main);
