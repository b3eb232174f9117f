/**
 * The input checks of the engine's layers: lib/window.ts's, the same
 * functions the readable layers call, so a network says the same thing
 * whichever kit built it. Only the scan for non-finite values is the
 * engine's own (a kernel, with the same message as lib/checks.ts's).
 */
import { checkAxis, checkRank } from '../../lib/checks';
import type { Tensor } from '../../lib/tensor';
import { checkImageShape, type Window } from '../../lib/window';
import { checkFiniteFast } from '../kernels/finite';
import { windowGeometry, type WindowGeometry } from '../kernels/im2col';

/**
 * Images x [N, C, H, W]: the rank, the channel count (when given), a window
 * that fits the padded input (lib/window.ts's checkImageShape), and finite
 * values unless `values` is false (the caller then checks them itself).
 * Returns the sizes of the pass.
 */
export function checkImages(where: string, x: Tensor, window: Window, channels?: number, values = true): WindowGeometry {
  checkRank(where, x, 4, '[N, C, H, W]');
  if (channels !== undefined) checkAxis(where, x, 1, channels, 'channels C');
  checkImageShape(where, x.shape, window.kernelSize, window.stride, window.padding);
  if (values) checkFiniteFast(where, x);
  return windowGeometry(x.shape, window.kernelSize, window.stride, window.padding);
}
