#!/usr/bin/env node
// The installed `appv` command. A file of its own rather than dist/cli/main.js itself: pnpm links a
// workspace package's commands at install time, before `prepare` has built dist/, and warned that the
// target did not exist.
import '../dist/cli/main.js';
