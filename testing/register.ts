/**
 * `node --import <this module>`: lets a driver's tests import `styrmin/testing` from any folder,
 * resolved to this installation's harness (`styrmin driver test` runs them so).
 */
import { register } from 'node:module';

register('./resolve-hook.js', import.meta.url);
