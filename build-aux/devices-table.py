#!/usr/bin/env python3
# devices-table.py DEVICES.json OUTPUT.h: the GPU presets as a C table
#
# data/devices.json stays the one list of presets (it is installed for
# other tools to read); the core compiles it in as a table, so that no
# program parses it again on every run.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import sys


def c_string(text):
    return '"' + text.replace('\\', '\\\\').replace('"', '\\"') + '"'


def main(source, output):
    with open(source, encoding='utf-8') as f:
        document = json.load(f)
    if document.get('format') != 'envelope-devices':
        sys.exit(f'{source}: "format" must be "envelope-devices"')
    rows = []
    for i, device in enumerate(document['devices']):
        name, memory = device.get('name'), device.get('memory')
        vendor, year = device.get('vendor', ''), device.get('year', 0)
        if not isinstance(name, str) or not name:
            sys.exit(f'{source}: devices[{i}]: "name" must be a string')
        if not isinstance(memory, int) or memory <= 0:
            sys.exit(f'{source}: devices[{i}] "{name}": "memory" must be a positive integer')
        if not isinstance(vendor, str) or not isinstance(year, int):
            sys.exit(f'{source}: devices[{i}] "{name}": "vendor" must be a string and "year" an integer')
        rows.append(f'  {{ {c_string(name)}, G_GUINT64_CONSTANT ({memory}), {c_string(vendor)}, {year} }},')
    with open(output, 'w', encoding='utf-8') as f:
        f.write('/* Generated from data/devices.json by build-aux/devices-table.py */\n')
        f.write('static const EnvelopeDevice devices[] = {\n')
        f.write('\n'.join(rows) + '\n};\n')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
