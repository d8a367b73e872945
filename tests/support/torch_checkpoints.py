#!/usr/bin/env python3
"""Writes PyTorch-format checkpoints for the tests of scripts/import-stable-ddpg, without PyTorch.

    torch_checkpoints.py STUDY_JSON OUTDIR [--malicious] [--linear]

One policy_net_checkpoint_a<i>.pth per bus of the study's inverters, as the reference's SafePolicy3phase saves
them: a zip archive with archive/data.pkl (a protocol-2 pickle of an OrderedDict of tensors, as torch.save writes
it: each tensor rebuilt by torch._utils._rebuild_tensor_v2 from a persistent storage reference) and one raw
little-endian float32 storage per tensor. The tensors per phase p of the bus: policy_p.b (H), policy_p.c (H),
policy_p.q (1 x H), policy_p.z (1 x H), H = 5, with values drawn from a seeded generator; the values of q and b
are also written to OUTDIR/expected.json (float32-rounded, by inverter in the study's order). --malicious writes
an a0 whose pickle asks for os.system instead. --linear writes the reference's LinearPolicy instead: one tensor
`slope` (1) per bus, expected as a one-unit network per phase (qv = slope, b = 0.15).
"""
import collections
import json
import os
import pickle
import random
import struct
import sys
import types
import zipfile

HIDDEN = 5

# Stand-ins with the names the pickle must carry: pickle records a global by module and qualified name.
torch = types.ModuleType("torch")
utils = types.ModuleType("torch._utils")


class FloatStorage:
    pass


FloatStorage.__module__ = "torch"
torch.FloatStorage = FloatStorage


def _rebuild_tensor_v2(*args):
    raise AssertionError("not called when writing")


_rebuild_tensor_v2.__module__ = "torch._utils"
utils._rebuild_tensor_v2 = _rebuild_tensor_v2
torch._utils = utils
sys.modules["torch"] = torch
sys.modules["torch._utils"] = utils


class Tensor:
    def __init__(self, key, values, size):
        self.key, self.values, self.size = key, values, size

    def __reduce__(self):
        stride = (self.size[1], 1) if len(self.size) == 2 else (1,)
        return (_rebuild_tensor_v2,
                (StorageRef(self.key, len(self.values)), 0, self.size, stride, False, collections.OrderedDict()))


class StorageRef:
    def __init__(self, key, count):
        self.key, self.count = key, count


class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, StorageRef):
            return ("storage", FloatStorage, obj.key, "cpu", obj.count)
        return None


class System:
    def __reduce__(self):
        return (os.system, ("true",))


def write(path, tensors, malicious=False):
    state = collections.OrderedDict()
    storages = {}
    for k, (name, values, size) in enumerate(tensors):
        state[name] = Tensor(str(k), values, size)
        storages[str(k)] = struct.pack(f"<{len(values)}f", *values)
    with zipfile.ZipFile(path, "w") as z:
        import io
        buf = io.BytesIO()
        Pickler(buf, protocol=2).dump(System() if malicious else state)
        z.writestr("archive/data.pkl", buf.getvalue())
        for key, raw in storages.items():
            z.writestr(f"archive/data/{key}", raw)
        z.writestr("archive/version", "3\n")


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def main():
    study_path, out = sys.argv[1], sys.argv[2]
    malicious = "--malicious" in sys.argv[3:]
    linear = "--linear" in sys.argv[3:]
    with open(study_path) as f:
        study = json.load(f)
    rng = random.Random(7)
    expected = []
    for i, inv in enumerate(study["inverters"]):
        tensors = []
        if linear:
            slope = f32(rng.uniform(0.5, 2.5))
            tensors.append(("slope", [slope], (1,)))
            expected += [{"qv": [slope], "b": [0.15]} for _ in inv["phases"]]
        for p in inv["phases"] if not linear else []:
            q = [f32(rng.uniform(0.0, 2.0)) for _ in range(HIDDEN)]
            b = [f32(rng.uniform(-0.001, 0.05)) for _ in range(HIDDEN)]
            tensors += [(f"policy_{p}.b", b, (HIDDEN,)), (f"policy_{p}.c", b, (HIDDEN,)),
                        (f"policy_{p}.q", q, (1, HIDDEN)), (f"policy_{p}.z", q, (1, HIDDEN))]
            expected.append({"qv": q, "b": b})
        write(os.path.join(out, f"policy_net_checkpoint_a{i}.pth"), tensors, malicious and i == 0)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main()
