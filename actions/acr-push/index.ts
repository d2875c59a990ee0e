import * as core from '@actions/core';
import { runAction } from '../../packages/shared/run-action.js';
import { main, post } from './main.js';

// One entry for both steps, as the runner calls the same file for main and post.
if (core.getState('isPost') === 'true') await runAction('acr-push post', post);
else {
  core.saveState('isPost', 'true');
  await runAction('acr-push', main);
}
