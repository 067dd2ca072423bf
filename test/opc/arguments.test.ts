import * as opc from '@appv/opc';
import { sweepExports } from '../helpers/argument-sweep.js';

sweepExports('@appv/opc', opc, 60);
