import * as appv from 'appv';
import { sweepExports } from '../helpers/argument-sweep.js';

sweepExports('appv', appv, 10);
