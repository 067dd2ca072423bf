import * as manifest from '@appv/manifest';
import { sweepExports } from '../helpers/argument-sweep.js';

sweepExports('@appv/manifest', manifest, 30);
