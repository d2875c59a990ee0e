import { runAction } from '../../packages/shared/run-action.js';
import { main, post } from './main.js';

await runAction('acr-push', main, post);
