#!/usr/bin/env python3
# Writes tests/data/import/keras/: Keras model configs written by hand in
# the layout model.to_json() gives (Keras 2 and Keras 3), a .keras zip and
# hostile files.  Development only; the files are committed.
import json, os, zipfile

OUT = os.path.join(os.path.dirname(__file__), '..', 'tests', 'data', 'import', 'keras')

def k2(cls, name, inbound=None, **config):
    config['name'] = name
    layer = {'class_name': cls, 'config': config, 'name': name}
    if inbound is not None:
        layer['inbound_nodes'] = [[[n, 0, 0, {}] for n in inbound]] if inbound else []
    return layer

def k2model(cls, name, layers, extra=None):
    config = {'name': name, 'layers': layers}
    config.update(extra or {})
    return {'class_name': cls, 'config': config, 'keras_version': '2.13.1', 'backend': 'tensorflow'}

def tensor(name, shape):
    return {'class_name': '__keras_tensor__',
            'config': {'shape': shape, 'dtype': 'float32', 'keras_history': [name, 0, 0]}}

def k3(cls, name, args=None, kwargs=None, **config):
    config['name'] = name
    config.setdefault('trainable', True)
    config.setdefault('dtype', 'float32')
    layer = {'module': 'keras.layers', 'class_name': cls, 'config': config,
             'registered_name': None, 'name': name}
    if args is not None or kwargs is not None:
        layer['inbound_nodes'] = [{'args': args or [], 'kwargs': kwargs or {}}]
    return layer

def k3model(cls, name, layers, inputs=None, outputs=None):
    config = {'name': name, 'trainable': True, 'layers': layers}
    if inputs is not None:
        config['input_layers'] = inputs
        config['output_layers'] = outputs
    return {'module': 'keras', 'class_name': cls, 'config': config, 'registered_name': cls,
            'build_config': {'input_shape': None}}

def write(name, model):
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(model, f)

# MNIST CNN, Keras 2 Sequential (the Keras example: 34,826 parameters).
mnist = k2model('Sequential', 'mnist_cnn', [
    k2('InputLayer', 'input_1', batch_input_shape=[None, 28, 28, 1], dtype='float32', sparse=False, ragged=False),
    k2('Conv2D', 'conv2d', filters=32, kernel_size=[3, 3], strides=[1, 1], padding='valid',
       data_format='channels_last', dilation_rate=[1, 1], groups=1, activation='relu', use_bias=True),
    k2('MaxPooling2D', 'max_pooling2d', pool_size=[2, 2], padding='valid', strides=[2, 2], data_format='channels_last'),
    k2('Conv2D', 'conv2d_1', filters=64, kernel_size=[3, 3], strides=[1, 1], padding='valid',
       data_format='channels_last', dilation_rate=[1, 1], groups=1, activation='relu', use_bias=True),
    k2('MaxPooling2D', 'max_pooling2d_1', pool_size=[2, 2], padding='valid', strides=[2, 2], data_format='channels_last'),
    k2('Flatten', 'flatten', data_format='channels_last'),
    k2('Dropout', 'dropout', rate=0.5, noise_shape=None, seed=None),
    k2('Dense', 'dense', units=10, activation='softmax', use_bias=True),
])
write('mnist-cnn-keras2.json', mnist)
text = json.dumps(mnist)
with open(os.path.join(OUT, 'truncated.json'), 'w') as f:
    f.write(text[:len(text) // 2])

# A ResNet basic block, Keras 2 Functional.
def conv(name, filters, inbound, k=3, s=1, pad='same', bias=False, act='linear'):
    return k2('Conv2D', name, inbound, filters=filters, kernel_size=[k, k], strides=[s, s], padding=pad,
              data_format='channels_last', dilation_rate=[1, 1], groups=1, activation=act, use_bias=bias)
def bn(name, inbound):
    return k2('BatchNormalization', name, inbound, axis=[3], momentum=0.99, epsilon=0.001, center=True, scale=True)
resnet_layers = [
    k2('InputLayer', 'input_1', [], batch_input_shape=[None, 32, 32, 64], dtype='float32', sparse=False, ragged=False),
    conv('conv1', 64, ['input_1']), bn('bn1', ['conv1']),
    k2('Activation', 'relu1', ['bn1'], activation='relu'),
    conv('conv2', 64, ['relu1']), bn('bn2', ['conv2']),
    k2('Add', 'add', ['bn2', 'input_1']),
    k2('Activation', 'relu2', ['add'], activation='relu'),
    k2('GlobalAveragePooling2D', 'gap', ['relu2'], data_format='channels_last', keepdims=False),
    k2('Dense', 'fc', ['gap'], units=10, activation='softmax', use_bias=True),
]
resnet = k2model('Functional', 'resnet_block', resnet_layers,
                 {'input_layers': [['input_1', 0, 0]], 'output_layers': [['fc', 0, 0]]})
write('resnet-block-keras2.json', resnet)

bad = json.loads(json.dumps(resnet))
bad['config']['layers'][4]['inbound_nodes'] = [[['nope', 0, 0, {}]]]
write('unknown-inbound.json', bad)
cyc = json.loads(json.dumps(resnet))
cyc['config']['layers'][1]['inbound_nodes'] = [[['relu1', 0, 0, {}]]]
write('cycle.json', cyc)

# A MobileNet v1 stem, Keras 3 Functional with keras tensors.
def t3(name, shape):
    return [tensor(name, shape)]
mb = [
    k3('InputLayer', 'input_layer', batch_shape=[None, 224, 224, 3], sparse=False),
    k3('Conv2D', 'conv1', t3('input_layer', [None, 224, 224, 3]), filters=32, kernel_size=[3, 3], strides=[2, 2],
       padding='same', data_format='channels_last', dilation_rate=[1, 1], groups=1, activation='linear', use_bias=False),
    k3('BatchNormalization', 'conv1_bn', t3('conv1', [None, 112, 112, 32]), axis=-1, center=True, scale=True),
    k3('ReLU', 'conv1_relu', t3('conv1_bn', [None, 112, 112, 32]), max_value=6.0, negative_slope=0.0, threshold=0.0),
    k3('DepthwiseConv2D', 'conv_dw_1', t3('conv1_relu', [None, 112, 112, 32]), kernel_size=[3, 3], strides=[1, 1],
       padding='same', depth_multiplier=1, data_format='channels_last', dilation_rate=[1, 1], activation='linear', use_bias=False),
    k3('BatchNormalization', 'conv_dw_1_bn', t3('conv_dw_1', [None, 112, 112, 32]), axis=-1, center=True, scale=True),
    k3('ReLU', 'conv_dw_1_relu', t3('conv_dw_1_bn', [None, 112, 112, 32]), max_value=6.0, negative_slope=0.0, threshold=0.0),
    k3('Conv2D', 'conv_pw_1', t3('conv_dw_1_relu', [None, 112, 112, 32]), filters=64, kernel_size=[1, 1], strides=[1, 1],
       padding='same', data_format='channels_last', dilation_rate=[1, 1], groups=1, activation='linear', use_bias=False),
    k3('BatchNormalization', 'conv_pw_1_bn', t3('conv_pw_1', [None, 112, 112, 64]), axis=-1, center=True, scale=True),
    k3('ReLU', 'conv_pw_1_relu', t3('conv_pw_1_bn', [None, 112, 112, 64]), max_value=6.0, negative_slope=0.0, threshold=0.0),
    k3('ZeroPadding2D', 'conv_pad_2', t3('conv_pw_1_relu', [None, 112, 112, 64]), padding=[[0, 1], [0, 1]], data_format='channels_last'),
    k3('DepthwiseConv2D', 'conv_dw_2', t3('conv_pad_2', [None, 113, 113, 64]), kernel_size=[3, 3], strides=[2, 2],
       padding='valid', depth_multiplier=1, data_format='channels_last', dilation_rate=[1, 1], activation='linear', use_bias=False),
    k3('BatchNormalization', 'conv_dw_2_bn', t3('conv_dw_2', [None, 56, 56, 64]), axis=-1, center=True, scale=True),
    k3('ReLU', 'conv_dw_2_relu', t3('conv_dw_2_bn', [None, 56, 56, 64]), max_value=6.0, negative_slope=0.0, threshold=0.0),
    k3('SeparableConv2D', 'sep', t3('conv_dw_2_relu', [None, 56, 56, 64]), filters=128, kernel_size=[3, 3], strides=[1, 1],
       padding='same', depth_multiplier=1, data_format='channels_last', dilation_rate=[1, 1], activation='relu', use_bias=True),
    k3('GlobalAveragePooling2D', 'gap', t3('sep', [None, 56, 56, 128]), data_format='channels_last', keepdims=False),
    k3('Dense', 'predictions', t3('gap', [None, 128]), units=10, activation='softmax', use_bias=True),
]
write('mobilenet-block-keras3.json', k3model('Functional', 'mobilenet_block', mb,
                                             [['input_layer', 0, 0]], [['predictions', 0, 0]]))

# An LSTM text classifier: Keras 2 Sequential, and the same as a Keras 3 Functional.
lstm2 = k2model('Sequential', 'text_lstm', [
    k2('Embedding', 'embedding', batch_input_shape=[None, 200], dtype='float32', input_dim=10000, output_dim=100,
       embeddings_initializer={'class_name': 'RandomUniform', 'config': {'minval': -0.05, 'maxval': 0.05, 'seed': None}},
       mask_zero=False, input_length=200),
    k2('LSTM', 'lstm', return_sequences=False, return_state=False, go_backwards=False, stateful=False,
       unroll=False, time_major=False, units=64, activation='tanh', recurrent_activation='sigmoid',
       use_bias=True, unit_forget_bias=True, dropout=0.0, recurrent_dropout=0.0, implementation=2),
    k2('Dense', 'dense', units=1, activation='sigmoid', use_bias=True),
])
write('lstm-text-keras2.json', lstm2)
lstm3 = k3model('Functional', 'text_lstm', [
    k3('InputLayer', 'input_layer', batch_shape=[None, 200], sparse=False),
    k3('Embedding', 'embedding', t3('input_layer', [None, 200]), input_dim=10000, output_dim=100, mask_zero=False),
    k3('LSTM', 'lstm', t3('embedding', [None, 200, 100]), return_sequences=False, return_state=False,
       go_backwards=False, stateful=False, unroll=False, units=64, activation='tanh',
       recurrent_activation='sigmoid', use_bias=True, unit_forget_bias=True),
    k3('Dense', 'dense', t3('lstm', [None, 64]), units=1, activation='sigmoid', use_bias=True),
], [['input_layer', 0, 0]], [['dense', 0, 0]])
write('lstm-text-keras3.json', lstm3)

# A transformer encoder block with MultiHeadAttention, Keras 3.
x = [None, 64, 128]
mha = k3model('Functional', 'encoder_block', [
    k3('InputLayer', 'tokens', batch_shape=[None, 64, 128], sparse=False),
    k3('MultiHeadAttention', 'mha', [], {'query': tensor('tokens', x), 'value': tensor('tokens', x)},
       num_heads=4, key_dim=32, value_dim=32, dropout=0.0, use_bias=True, output_shape=None, attention_axes=None),
    k3('Add', 'add', [[tensor('tokens', x), tensor('mha', x)]]),
    k3('LayerNormalization', 'ln1', t3('add', x), axis=[-1], epsilon=1e-6, center=True, scale=True),
    k3('Dense', 'ffn1', t3('ln1', x), units=256, activation='relu', use_bias=True),
    k3('Dense', 'ffn2', t3('ffn1', [None, 64, 256]), units=128, activation='linear', use_bias=True),
    k3('Add', 'add_1', [[tensor('ln1', x), tensor('ffn2', x)]]),
    k3('LayerNormalization', 'ln2', t3('add_1', x), axis=[-1], epsilon=1e-6, center=True, scale=True),
], [['tokens', 0, 0]], [['ln2', 0, 0]])
write('mha-block-keras3.json', mha)

# A .keras archive: a classifier around a nested Functional base.
base = k3model('Functional', 'base', [
    k3('InputLayer', 'base_in', batch_shape=[None, 32, 32, 3], sparse=False),
    k3('Conv2D', 'conv', t3('base_in', [None, 32, 32, 3]), filters=16, kernel_size=[3, 3], strides=[1, 1],
       padding='same', data_format='channels_last', dilation_rate=[1, 1], groups=1, activation='relu', use_bias=True),
], [['base_in', 0, 0]], [['conv', 0, 0]])
base['name'] = 'base'
base['inbound_nodes'] = [{'args': t3('image', [None, 32, 32, 3]), 'kwargs': {}}]
classifier = k3model('Functional', 'classifier', [
    k3('InputLayer', 'image', batch_shape=[None, 32, 32, 3], sparse=False),
    base,
    k3('GlobalAveragePooling2D', 'gap', t3('base', [None, 32, 32, 16]), data_format='channels_last', keepdims=False),
    k3('Dense', 'head', t3('gap', [None, 16]), units=10, activation='softmax', use_bias=True),
], [['image', 0, 0]], [['head', 0, 0]])

def archive(name, members):
    with zipfile.ZipFile(os.path.join(OUT, name), 'w', zipfile.ZIP_DEFLATED) as z:
        for member, data in members:
            # A fixed date, so that the files do not change each run.
            info = zipfile.ZipInfo(member, date_time=(2024, 5, 1, 10, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)

archive('nested.keras', [('metadata.json', json.dumps({'keras_version': '3.3.3', 'date_saved': '2024-05-01@10:00:00'})),
                         ('config.json', json.dumps(classifier))])
archive('no-config.keras', [('metadata.json', json.dumps({'keras_version': '3.3.3'}))])
archive('bomb.keras', [('config.json', ' ' * (80 << 20))])

# The same, its headers claiming 1,000 bytes: the limit must hold on what
# comes out, not on what the archive says.
import struct
with open(os.path.join(OUT, 'bomb.keras'), 'rb') as f:
    data = bytearray(f.read())
data[22:26] = struct.pack('<I', 1000)
central = data.rfind(b'PK\x01\x02')
data[central + 24:central + 28] = struct.pack('<I', 1000)
with open(os.path.join(OUT, 'bomb-lying.keras'), 'wb') as f:
    f.write(data)
