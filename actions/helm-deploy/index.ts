import { runAction } from '../../packages/shared/run-action.js';
import { main, post, printCredential } from './main.js';

await runAction('helm-deploy', main, post, { credential: printCredential });
