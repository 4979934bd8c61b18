import { encodeModel, FLOAT, initializer as init, UINT8, valueInfo } from './matmul-nbits-model.fixture';
import type { QMoETensors } from './qmoe.layout';

const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;

/**
 * Test fixture: `Y = QMoE(input [T, H], router_probs [T, E], fc1, fc2)` with SwiGLU experts
 * (silu(gate) · up: activation_alpha 1, beta 0, no limit) and renormalised top-k routing.
 */
export function qmoeModel(t: QMoETensors, tokens: number, topK: number): Uint8Array {
  const experts = t.fc1.weights.dims[0];
  const hidden = t.fc2.weights.dims[1];
  const initializer = [
    init('fc1', t.fc1.weights.dims, UINT8, t.fc1.weights.data),
    init('fc1_scales', t.fc1.scales.dims, FLOAT, t.fc1.scales.data),
    init('fc2', t.fc2.weights.dims, UINT8, t.fc2.weights.data),
    init('fc2_scales', t.fc2.scales.dims, FLOAT, t.fc2.scales.data),
  ];
  // Positional inputs; '' leaves an optional one out (biases, fc3).
  const inputs = ['input', 'router_probs', 'fc1', 'fc1_scales', '', 'fc2', 'fc2_scales'];
  if (t.fc1.zeroPoints && t.fc2.zeroPoints) {
    initializer.push(init('fc1_zp', t.fc1.zeroPoints.dims, UINT8, t.fc1.zeroPoints.data));
    initializer.push(init('fc2_zp', t.fc2.zeroPoints.dims, UINT8, t.fc2.zeroPoints.data));
    inputs.push('', '', '', '', 'fc1_zp', 'fc2_zp');
  }
  const attribute = [
    { name: 'k', i: topK, type: ATTR_INT },
    { name: 'activation_type', s: Buffer.from('swiglu'), type: ATTR_STRING },
    { name: 'swiglu_fusion', i: t.attributes.swiglu_fusion, type: ATTR_INT },
    { name: 'normalize_routing_weights', i: 1, type: ATTR_INT },
    { name: 'expert_weight_bits', i: t.attributes.expert_weight_bits, type: ATTR_INT },
    { name: 'block_size', i: t.attributes.block_size, type: ATTR_INT },
    { name: 'activation_alpha', f: 1, type: ATTR_FLOAT },
    { name: 'activation_beta', f: 0, type: ATTR_FLOAT },
    { name: 'swiglu_limit', f: 3.4e38, type: ATTR_FLOAT },
  ];
  return encodeModel({
    name: 'qmoe',
    node: [{ name: 'qmoe', op_type: 'QMoE', domain: 'com.microsoft', input: inputs, output: ['Y'], attribute }],
    initializer,
    input: [valueInfo('input', [tokens, hidden]), valueInfo('router_probs', [tokens, experts])],
    output: [valueInfo('Y', [tokens, hidden])],
  });
}
