#!/usr/bin/env node
// The local runner: `npx deploy-actions run <action> --input name=value ...`.
import '../dist/cli/index.js';
