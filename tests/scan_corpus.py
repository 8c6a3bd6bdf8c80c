"""A labelled corpus of small example repositories for the code scanner (scripts/scan/), and its scoring.

Each repository is a dict {path: text}. A line that loads a Hub model ends with a label comment,
`# expect: <model id>` (Python) or `// expect: <model id>` (JavaScript): the id a person reading
the code knows the call loads, whether or not the scanner can resolve it. A call site the scanner
should record even though no Hub id can be known (a variable, a local path) is labelled
`expect-call: <ref_kind>`. Every other line is a non-use: comments, docstrings, strings,
markdown, local paths shaped like ids, look-alike APIs of other libraries.

`score(rows)` compares the scanner's code_calls records with the labels:

    model ids   unit (repository, file, line, model id). precision = found and labelled / found;
                recall = found and labelled / labelled.
    call sites  unit (repository, file, line) of every labelled line (uses and expect-call lines):
                recall = recorded call sites / labelled call sites.

    python -m tests.scan_corpus    prints the figures (docs/dependents.md quotes them)
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

_LABEL = re.compile(r"(?:#|//)\s*expect(?P<call>-call)?:\s*(?P<value>\S+)\s*$")


def _nb(*cells: tuple[str, str]) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                       "cells": [{"cell_type": kind, "metadata": {}, "source": src.splitlines(keepends=True),
                                  **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                                 for kind, src in cells]}, indent=1)


CORPUS: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- plain true uses
    "sentiment-app": {
        "app.py": '''\
"""A small classifier service.

Usage: AutoModel.from_pretrained("docs/example-in-docstring") is how we load it.
"""
import os
from transformers import AutoTokenizer, AutoModelForSequenceClassification, pipeline

MODEL_NAME = "cardiffnlp/twitter-roberta-base-sentiment"

tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)  # expect: cardiffnlp/twitter-roberta-base-sentiment
model = AutoModelForSequenceClassification.from_pretrained(MODEL_NAME)  # expect: cardiffnlp/twitter-roberta-base-sentiment
# model = AutoModelForSequenceClassification.from_pretrained("old/commented-out")
classifier = pipeline("sentiment-analysis", model="distilbert-base-uncased-finetuned-sst-2-english")  # expect: distilbert-base-uncased-finetuned-sst-2-english
ner = pipeline(task="ner", model="dslim/bert-base-NER")  # expect: dslim/bert-base-NER
gen = pipeline("text-generation", "gpt2")  # expect: gpt2
zero = pipeline("zero-shot-classification")  # expect-call: missing
print("try pipeline('fill-mask', model='bert-base-uncased') in a shell")
''',
        "requirements.txt": "transformers==4.40.0\ntorch>=2\n# sentence-transformers (not used yet)\n",
        "README.md": 'Load it with `AutoModel.from_pretrained("readme/only")`.\n',
    },
    "aliased-imports": {
        "train.py": '''\
import transformers as tf
import huggingface_hub as hh
from huggingface_hub import snapshot_download as fetch
from transformers import BertTokenizerFast as Tok, T5ForConditionalGeneration

tok = Tok.from_pretrained("bert-base-uncased")  # expect: bert-base-uncased
t5 = T5ForConditionalGeneration.from_pretrained(
    "google/flan-t5-base",  # expect: google/flan-t5-base
    torch_dtype="auto",
)
m = tf.AutoModel.from_pretrained(pretrained_model_name_or_path="microsoft/deberta-v3-base")  # expect: microsoft/deberta-v3-base
w = hh.hf_hub_download(repo_id="openai/whisper-tiny", filename="config.json")  # expect: openai/whisper-tiny
folder = fetch("stabilityai/stable-diffusion-2-1")  # expect: stabilityai/stable-diffusion-2-1
data = hh.hf_hub_download("squad-org/squad-v3", "train.json", repo_type="dataset")
space = fetch(repo_id="gradio/hello_world", repo_type="space")
url_model = tf.AutoModel.from_pretrained("https://huggingface.co/facebook/opt-125m/tree/main")  # expect: facebook/opt-125m
''',
        "pyproject.toml": '[project]\nname = "x"\ndependencies = ["transformers>=4.30", "huggingface-hub"]\n',
    },
    "local-and-variables": {
        "finetune.py": '''\
import argparse
from transformers import AutoModelForCausalLM, AutoTokenizer

parser = argparse.ArgumentParser()
parser.add_argument("--model", default="facebook/opt-350m")
args = parser.parse_args()

model = AutoModelForCausalLM.from_pretrained(args.model)  # expect: facebook/opt-350m
tok = AutoTokenizer.from_pretrained("./outputs/final")  # expect-call: local-path
best = AutoModelForCausalLM.from_pretrained("checkpoints/best")  # expect-call: local-path
abs_path = AutoModelForCausalLM.from_pretrained("/data/models/llama")  # expect-call: local-path
win = AutoModelForCausalLM.from_pretrained("C:\\\\models\\\\opt")  # expect-call: local-path
run = AutoModelForCausalLM.from_pretrained("my_run_42/epoch_3")  # expect-call: local-path
org = "EleutherAI"
dyn = AutoModelForCausalLM.from_pretrained(f"{org}/pythia-70m")  # expect: EleutherAI/pythia-70m
joined = AutoModelForCausalLM.from_pretrained("EleutherAI/" + "pythia-160m")  # expect: EleutherAI/pythia-160m


def load(name="bigscience/bloom-560m"):
    return AutoModelForCausalLM.from_pretrained(name)  # expect: bigscience/bloom-560m


for size in ["small", "base"]:
    CKPT = f"google/t5-v1_1-{size}"
    AutoTokenizer.from_pretrained(CKPT)  # expect-call: expression
''',
        "other_libraries.py": '''\
import torch
import json
model = torch.hub.load("pytorch/vision", "resnet50")
cfg = json.load(open("config.json"))


class MyModel:
    @classmethod
    def from_pretrained(cls, path):
        return cls()


m = MyModel.from_pretrained("my-org/not-a-hub-load")
''',
    },
    "research-code": {
        "run.py": '''\
import os
import yaml
from transformers import T5ForConditionalGeneration, AutoModel, AutoTokenizer

MODELS = {"small": "t5-small", "base": "t5-base"}
t5 = T5ForConditionalGeneration.from_pretrained(MODELS["small"])  # expect: t5-small
env = AutoModel.from_pretrained(os.environ.get("MODEL", "gpt2"))  # expect: gpt2
cfg = yaml.safe_load(open("config.yaml"))
from_cfg = AutoModel.from_pretrained(cfg["model"])  # expect-call: variable
if os.environ.get("BIG"):
    CHECKPOINT = "roberta-large"
else:
    CHECKPOINT = "roberta-base"
tok = AutoTokenizer.from_pretrained(CHECKPOINT)  # expect-call: variable
assert tok.name_or_path == "roberta-base"
EXPECTED = {"model": "FacebookAI/roberta-base"}
''',
        "config.yaml": "model: facebook/bart-large-cnn\n",
        "tests/test_load.py": '''\
from transformers import AutoModel


def test_load(tmp_path):
    model = AutoModel.from_pretrained("hf-internal-testing/tiny-random-bert")  # expect: hf-internal-testing/tiny-random-bert
    model.save_pretrained(tmp_path)
    again = AutoModel.from_pretrained(tmp_path)  # expect-call: variable
''',
        "web/embed.js": '''\
const { pipeline } = require('@xenova/transformers');
const org = 'Xenova';
const extractor = await pipeline('feature-extraction', `${org}/all-MiniLM-L6-v2`); // expect: Xenova/all-MiniLM-L6-v2
const fallback = await pipeline('feature-extraction'); // expect-call: missing
''',
    },
    # ---------------------------------------------------------------- other Python libraries
    "many-libraries": {
        "embed.py": '''\
from sentence_transformers import SentenceTransformer, CrossEncoder
import spacy
import timm
import open_clip
from diffusers import StableDiffusionPipeline, DiffusionPipeline
from peft import PeftModel, AutoPeftModelForCausalLM
from speechbrain.inference.speaker import EncoderClassifier
from setfit import SetFitModel
from gliner import GLiNER
from llama_cpp import Llama
from flair.models import SequenceTagger
from flair.embeddings import TransformerDocumentEmbeddings

st = SentenceTransformer("all-MiniLM-L6-v2")  # expect: sentence-transformers/all-MiniLM-L6-v2
st2 = SentenceTransformer("BAAI/bge-small-en-v1.5")  # expect: BAAI/bge-small-en-v1.5
ce = CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2")  # expect: cross-encoder/ms-marco-MiniLM-L-6-v2
nlp = spacy.load("en_core_web_sm")  # expect: spacy/en_core_web_sm
blank = spacy.load("./my_spacy_model")  # expect-call: local-path
vit = timm.create_model("hf_hub:timm/vit_base_patch16_224.augreg_in21k", pretrained=True)  # expect: timm/vit_base_patch16_224.augreg_in21k
rn = timm.create_model("resnet50", pretrained=True)  # expect-call: library-name
clip, _, pre = open_clip.create_model_and_transforms("hf-hub:laion/CLIP-ViT-B-32-laion2B-s34B-b79K")  # expect: laion/CLIP-ViT-B-32-laion2B-s34B-b79K
arch = open_clip.create_model("ViT-B-32", pretrained="laion2b_s34b_b79k")  # expect-call: library-name
sd = StableDiffusionPipeline.from_pretrained("runwayml/stable-diffusion-v1-5")  # expect: runwayml/stable-diffusion-v1-5
sdxl = DiffusionPipeline.from_pretrained("stabilityai/stable-diffusion-xl-base-1.0")  # expect: stabilityai/stable-diffusion-xl-base-1.0
lora = PeftModel.from_pretrained(sd, "tloen/alpaca-lora-7b")  # expect: tloen/alpaca-lora-7b
auto_lora = AutoPeftModelForCausalLM.from_pretrained("ybelkada/opt-350m-lora")  # expect: ybelkada/opt-350m-lora
spk = EncoderClassifier.from_hparams(source="speechbrain/spkrec-ecapa-voxceleb", savedir="tmp")  # expect: speechbrain/spkrec-ecapa-voxceleb
sf = SetFitModel.from_pretrained("sentence-transformers/paraphrase-mpnet-base-v2")  # expect: sentence-transformers/paraphrase-mpnet-base-v2
gl = GLiNER.from_pretrained("urchade/gliner_medium-v2.1")  # expect: urchade/gliner_medium-v2.1
llm = Llama.from_pretrained(repo_id="TheBloke/Mistral-7B-Instruct-v0.2-GGUF", filename="*Q4_K_M.gguf")  # expect: TheBloke/Mistral-7B-Instruct-v0.2-GGUF
tagger = SequenceTagger.load("flair/ner-english-large")  # expect: flair/ner-english-large
short = SequenceTagger.load("ner")  # expect-call: library-name
emb = TransformerDocumentEmbeddings("roberta-base")  # expect: roberta-base
''',
        "requirements-dev.txt": "sentence-transformers==2.7.0\nspacy>=3.7\ntimm\nopen_clip_torch\ndiffusers[torch]\npeft\n",
    },
    # ---------------------------------------------------------------- notebooks
    "notebook-repo": {
        "explore.ipynb": _nb(
            ("markdown", 'We use `pipeline("summarization", model="markdown/not-code")`.'),
            ("code", "!pip install transformers\n%matplotlib inline\nfrom transformers import pipeline"),
            ("code", 'summarizer = pipeline("summarization", model="facebook/bart-large-cnn")  # expect: facebook/bart-large-cnn'),
            ("code", "this cell is not python ("),
            ("code", 'qa = pipeline("question-answering", model="deepset/roberta-base-squad2")  # expect: deepset/roberta-base-squad2'),
        ),
    },
    # ---------------------------------------------------------------- JavaScript / TypeScript
    "web-demo": {
        "src/worker.js": '''\
import { pipeline, AutoTokenizer } from '@huggingface/transformers';
// const old = await pipeline('fill-mask', 'commented/out-model');
/* await pipeline('translation', 'block/commented'); */
const classifier = await pipeline('sentiment-analysis', 'Xenova/distilbert-base-uncased-finetuned-sst-2-english'); // expect: Xenova/distilbert-base-uncased-finetuned-sst-2-english
const MODEL = 'Xenova/whisper-tiny.en';
const asr = await pipeline('automatic-speech-recognition', MODEL); // expect: Xenova/whisper-tiny.en
const tok = await AutoTokenizer.from_pretrained('Xenova/bert-base-uncased'); // expect: Xenova/bert-base-uncased
const docs = "see https://huggingface.co/docs";
''',
        "src/inference.ts": '''\
import { HfInference } from '@huggingface/inference';
const hf = new HfInference(process.env.HF_TOKEN);
const out = await hf.textGeneration({ model: 'mistralai/Mistral-7B-Instruct-v0.2', inputs: 'Hi' }); // expect: mistralai/Mistral-7B-Instruct-v0.2
const img = await hf.textToImage({
  model: 'stabilityai/stable-diffusion-2', // expect: stabilityai/stable-diffusion-2
  inputs: 'a cat',
});
''',
        "src/openai.js": '''\
import OpenAI from 'openai';
const client = new OpenAI();
const r = await client.chat.completions.create({ model: 'gpt-4o', messages: [] });
''',
        "package.json": '{"name": "demo", "dependencies": {"@huggingface/transformers": "^3.0.0", "@huggingface/inference": "^2.8.0"}}\n',
    },
    # ---------------------------------------------------------------- more of every library (grown in session 2)
    "transformers-variety": {
        "models.py": '''\
from transformers import (
    AutoConfig,
    AutoModelForTokenClassification,
    AutoProcessor,
    BlipForConditionalGeneration,
    WhisperProcessor,
    pipeline,
)
import transformers

config = AutoConfig.from_pretrained("dbmdz/bert-large-cased-finetuned-conll03-english")  # expect: dbmdz/bert-large-cased-finetuned-conll03-english
ner_model = AutoModelForTokenClassification.from_pretrained(
    "dbmdz/bert-large-cased-finetuned-conll03-english", config=config  # expect: dbmdz/bert-large-cased-finetuned-conll03-english
)
processor = AutoProcessor.from_pretrained("Salesforce/blip-image-captioning-base")  # expect: Salesforce/blip-image-captioning-base
blip = BlipForConditionalGeneration.from_pretrained("Salesforce/blip-image-captioning-base", torch_dtype="auto")  # expect: Salesforce/blip-image-captioning-base
whisper = WhisperProcessor.from_pretrained("openai/whisper-small", language="en")  # expect: openai/whisper-small
asr = pipeline(model="openai/whisper-large-v3", task="automatic-speech-recognition")  # expect: openai/whisper-large-v3
summarize = transformers.pipeline("summarization", model="sshleifer/distilbart-cnn-12-6", revision="a4f8f3e")  # expect: sshleifer/distilbart-cnn-12-6
bert = transformers.BertModel.from_pretrained("bert-large-uncased")  # expect: bert-large-uncased
roberta = transformers.RobertaForMaskedLM.from_pretrained("roberta-large")  # expect: roberta-large
xlmr = transformers.AutoModel.from_pretrained("xlm-roberta-base")  # expect: xlm-roberta-base
url = transformers.AutoModel.from_pretrained("https://example.com/weights/model.bin")  # expect-call: url
ner_model.save_pretrained("my-org/saved-not-loaded")
processor.push_to_hub("my-org/pushed-not-loaded")
args = transformers.TrainingArguments(output_dir="my-org/trainer-output", hub_model_id="my-org/hub-output")
text = "AutoModel.from_pretrained('in/a-string')"
#   pipeline("fill-mask", model="commented/indented-out")
''',
        "lazy.py": '''\
"""Loading happens lazily.

from transformers import AutoModel
AutoModel.from_pretrained("docstring/at-column-zero")
"""
import os


def build(kind):
    """Build a model.

    >>> build("seq2seq")  # AutoModel.from_pretrained("doctest/example")
    """
    from transformers import AutoModelForSeq2SeqLM as S2S
    if kind == "seq2seq":
        return S2S.from_pretrained("facebook/mbart-large-50")  # expect: facebook/mbart-large-50
    name = "google/mt5-small" if kind == "small" else "google/mt5-base"
    return S2S.from_pretrained(name)  # expect-call: variable


MODEL_ID = os.getenv("MODEL_ID", "mistralai/Mistral-7B-v0.1")


def generator():
    from transformers import AutoModelForCausalLM
    return AutoModelForCausalLM.from_pretrained(MODEL_ID, device_map="auto")  # expect: mistralai/Mistral-7B-v0.1


def sizes():
    from transformers import AutoTokenizer
    for size in ("125m", "350m"):
        yield AutoTokenizer.from_pretrained(f"facebook/opt-{size}")  # expect-call: expression
''',
    },
    "hub-downloads": {
        "download.py": '''\
import os
import huggingface_hub
from huggingface_hub import HfApi, hf_hub_download, list_models, snapshot_download

ckpt = hf_hub_download("lllyasviel/Annotators", "body_pose_model.pth")  # expect: lllyasviel/Annotators
cfg = hf_hub_download(repo_id="google/gemma-2b", filename="config.json", revision="main")  # expect: google/gemma-2b
local = snapshot_download(repo_id="meta-llama/Llama-2-7b-hf", allow_patterns=["*.json"])  # expect: meta-llama/Llama-2-7b-hf
qwen = huggingface_hub.snapshot_download("Qwen/Qwen2-0.5B", repo_type="model")  # expect: Qwen/Qwen2-0.5B
REPO = "TheBloke/Llama-2-7B-GGUF"
gguf = hf_hub_download(REPO, filename="llama-2-7b.Q4_K_M.gguf")  # expect: TheBloke/Llama-2-7B-GGUF
from_env = hf_hub_download(repo_id=os.environ["WEIGHTS_REPO"], filename="model.safetensors")  # expect-call: variable
ds = snapshot_download("HuggingFaceH4/ultrachat_200k", repo_type="dataset")
theme = hf_hub_download(repo_id="gradio/seafoam", filename="theme.json", repo_type="space")
api = HfApi()
api.upload_file(path_or_fileobj="model.bin", path_in_repo="model.bin", repo_id="me/uploaded-model")
api.create_repo("me/new-repo", exist_ok=True)
for info in list_models(author="google", limit=5):
    print(info.id)
print("download with hf_hub_download('docs/in-a-print', 'x')")
''',
    },
    "embeddings-service": {
        "service.py": '''\
from sentence_transformers import CrossEncoder, SentenceTransformer, util
import sentence_transformers as st

embedder = SentenceTransformer("sentence-transformers/all-mpnet-base-v2", device="cpu")  # expect: sentence-transformers/all-mpnet-base-v2
multi = st.SentenceTransformer("paraphrase-multilingual-MiniLM-L12-v2")  # expect: sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2
e5 = SentenceTransformer(model_name_or_path="intfloat/e5-large-v2")  # expect: intfloat/e5-large-v2
rerank = CrossEncoder("BAAI/bge-reranker-base", max_length=512)  # expect: BAAI/bge-reranker-base
mine = SentenceTransformer("output/my-finetuned-model")  # expect-call: local-path
scores = util.cos_sim(embedder.encode(["a"]), multi.encode(["b"]))
embedder.save("models/st-saved")


class Search:
    def __init__(self, model_name="thenlper/gte-base"):
        self.model = SentenceTransformer(model_name)  # expect: thenlper/gte-base
''',
        "requirements.txt": "sentence-transformers>=2.2\nfaiss-cpu\n",
    },
    "image-generation": {
        "generate.py": '''\
import torch
from diffusers import AutoPipelineForText2Image, ControlNetModel, DDPMScheduler, UNet2DConditionModel
from peft import LoraConfig, PeftConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM

controlnet = ControlNetModel.from_pretrained("lllyasviel/sd-controlnet-canny", torch_dtype=torch.float16)  # expect: lllyasviel/sd-controlnet-canny
pipe = AutoPipelineForText2Image.from_pretrained("stabilityai/sdxl-turbo", variant="fp16")  # expect: stabilityai/sdxl-turbo
unet = UNet2DConditionModel.from_pretrained("stabilityai/stable-diffusion-xl-base-1.0", subfolder="unet")  # expect: stabilityai/stable-diffusion-xl-base-1.0
scheduler = DDPMScheduler.from_pretrained("google/ddpm-cat-256")  # expect: google/ddpm-cat-256
pipe.load_lora_weights("nerijs/pixel-art-xl")  # expect: nerijs/pixel-art-xl
base = AutoModelForCausalLM.from_pretrained("huggyllama/llama-7b")  # expect: huggyllama/llama-7b
adapter_config = PeftConfig.from_pretrained("timdettmers/guanaco-7b")  # expect: timdettmers/guanaco-7b
model = PeftModel.from_pretrained(base, "timdettmers/guanaco-7b")  # expect: timdettmers/guanaco-7b
lora = LoraConfig(r=8, target_modules=["q_proj", "v_proj"])
tuned = get_peft_model(base, lora)
tuned.save_pretrained("outputs/lora-adapter")
pipe.to("cuda")
''',
    },
    "vision-models": {
        "backbones.py": '''\
import open_clip
import timm
from timm import create_model

m1 = timm.create_model("hf-hub:timm/convnext_tiny.fb_in22k", pretrained=True)  # expect: timm/convnext_tiny.fb_in22k
m2 = create_model("hf_hub:timm/eva02_base_patch14_224.mim_in22k", pretrained=True)  # expect: timm/eva02_base_patch14_224.mim_in22k
m3 = timm.create_model("efficientnet_b0", pretrained=True, num_classes=10)  # expect-call: library-name
m4 = timm.create_model(model_name="vit_small_patch16_224")  # expect-call: library-name
names = timm.list_models("vit_*", pretrained=True)
tok = open_clip.get_tokenizer("hf-hub:laion/CLIP-ViT-g-14-laion2B-s12B-b42K")  # expect: laion/CLIP-ViT-g-14-laion2B-s12B-b42K
dfn, preprocess = open_clip.create_model_from_pretrained("hf-hub:apple/DFN5B-CLIP-ViT-H-14")  # expect: apple/DFN5B-CLIP-ViT-H-14
coca = open_clip.create_model("coca_ViT-B-32", pretrained="mscoco_finetuned_laion2b_s13b_b90k")  # expect-call: library-name
''',
    },
    "nlp-toolkit": {
        "pipeline.py": '''\
import spacy
import en_core_web_md
from flair.embeddings import TransformerWordEmbeddings, WordEmbeddings
from flair.models import SequenceTagger, TextClassifier
from speechbrain.inference.separation import SepformerSeparation as separator
from speechbrain.pretrained import EncoderDecoderASR

nlp = spacy.load("en_core_web_trf")  # expect: spacy/en_core_web_trf
nlp_de = spacy.load("de_core_news_sm", disable=["parser"])  # expect: spacy/de_core_news_sm
blank = spacy.blank("en")
custom = spacy.load("/opt/models/custom_ner")  # expect-call: local-path
packaged = en_core_web_md.load()  # expect: spacy/en_core_web_md
tagger = SequenceTagger.load("flair/ner-german-large")  # expect: flair/ner-german-large
pos = SequenceTagger.load("pos")  # expect-call: library-name
sentiment = TextClassifier.load("en-sentiment")  # expect-call: library-name
emb = TransformerWordEmbeddings("bert-base-multilingual-cased")  # expect: bert-base-multilingual-cased
glove = WordEmbeddings("glove")
asr = EncoderDecoderASR.from_hparams(source="speechbrain/asr-crdnn-rnnlm-librispeech", savedir="pretrained_models/asr")  # expect: speechbrain/asr-crdnn-rnnlm-librispeech
sep = separator.from_hparams(source="speechbrain/sepformer-wsj02mix")  # expect: speechbrain/sepformer-wsj02mix
''',
        "setup.py": "from setuptools import setup\nsetup(name='x', install_requires=['spacy>=3', 'flair', 'speechbrain'])\n",
    },
    "small-libraries": {
        "extract.py": '''\
from gliner import GLiNER
from llama_cpp import Llama
from setfit import SetFitModel

clf = SetFitModel.from_pretrained("lewtun/my-awesome-setfit-model")  # expect: lewtun/my-awesome-setfit-model
base = SetFitModel.from_pretrained("sentence-transformers/all-MiniLM-L6-v2", labels=["neg", "pos"])  # expect: sentence-transformers/all-MiniLM-L6-v2
ner = GLiNER.from_pretrained("urchade/gliner_multi-v2.1", load_tokenizer=True)  # expect: urchade/gliner_multi-v2.1
llm = Llama.from_pretrained("Qwen/Qwen2-0.5B-Instruct-GGUF", "*q8_0.gguf", verbose=False)  # expect: Qwen/Qwen2-0.5B-Instruct-GGUF
local_llm = Llama(model_path="./models/llama-2-7b.Q4_K_M.gguf")
clf.save_pretrained("setfit-output")
''',
    },
    "notebook-diffusion": {
        "demo.ipynb": _nb(
            ("markdown", "Run `DiffusionPipeline.from_pretrained(\"markdown/example\")` first."),
            ("code", "%%capture\n!pip install -q diffusers sentence-transformers"),
            ("code", "import torch\nfrom diffusers import DiffusionPipeline"),
            ("code", 'pipe = DiffusionPipeline.from_pretrained("CompVis/stable-diffusion-v1-4")  # expect: CompVis/stable-diffusion-v1-4'),
            ("raw", 'DiffusionPipeline.from_pretrained("raw/cell")'),
            ("code", 'from sentence_transformers import SentenceTransformer\nm = SentenceTransformer("thenlper/gte-small")  # expect: thenlper/gte-small'),
            ("code", "# DiffusionPipeline.from_pretrained('commented/in-notebook')\nimage = pipe('a cat').images[0]"),
        ),
    },
    "js-apps": {
        "src/caption.js": '''\
import { pipeline, env } from "@huggingface/transformers";
env.allowLocalModels = false;
const captioner = await pipeline("image-to-text", "Xenova/vit-gpt2-image-captioning"); // expect: Xenova/vit-gpt2-image-captioning
const embed = await pipeline("feature-extraction", "Xenova/all-MiniLM-L6-v2", { dtype: "q8" }); // expect: Xenova/all-MiniLM-L6-v2
const local = await pipeline("text-classification", "./models/my-model"); // expect-call: local-path
const help = "call pipeline('summarization', 'not/in-code') to summarise";
''',
        "src/chat.ts": '''\
import { InferenceClient } from "@huggingface/inference";
const client = new InferenceClient(process.env.HF_TOKEN);
const chat = await client.chatCompletion({
  model: "meta-llama/Llama-3.1-8B-Instruct", // expect: meta-llama/Llama-3.1-8B-Instruct
  messages: [{ role: "user", content: "Hello" }],
});
const emb = await client.featureExtraction({ model: "BAAI/bge-small-en-v1.5", inputs: "x" }); // expect: BAAI/bge-small-en-v1.5
''',
        "src/no_import.js": '''\
const r = await pipeline("text-generation", "Xenova/no-import-so-not-this-library");
''',
        "package.json": '{"name": "apps", "dependencies": {"@huggingface/transformers": "^3.1.0", "@huggingface/inference": "^3.0.0"}}\n',
    },
    # ---------------------------------------------------------------- imports continued over several lines
    "continued-imports": {
        # the module's name on a line without the word "import"
        "embed.py": '''\
from sentence_transformers \\
    import SentenceTransformer

model = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")  # expect: sentence-transformers/all-MiniLM-L6-v2
''',
        "hub.py": '''\
import os, \\
    transformers
import \\
    huggingface_hub as hub
from \\
    diffusers import DiffusionPipeline

bert = transformers.AutoModel.from_pretrained("google-bert/bert-base-cased")  # expect: google-bert/bert-base-cased
folder = hub.snapshot_download("Qwen/Qwen2.5-0.5B")  # expect: Qwen/Qwen2.5-0.5B
pipe = DiffusionPipeline.from_pretrained("stabilityai/sdxl-turbo")  # expect: stabilityai/sdxl-turbo
''',
        # brackets, a backslash after "import", and both
        "brackets.py": '''\
from transformers \\
    import (AutoTokenizer,
            AutoModelForMaskedLM)
from setfit import (
    SetFitModel,
)
from transformers import \\
    pipeline

mlm = AutoModelForMaskedLM.from_pretrained("FacebookAI/xlm-roberta-base")  # expect: FacebookAI/xlm-roberta-base
setfit = SetFitModel.from_pretrained("sentence-transformers/paraphrase-mpnet-base-v2")  # expect: sentence-transformers/paraphrase-mpnet-base-v2
ner = pipeline("ner", model="dslim/bert-base-NER")  # expect: dslim/bert-base-NER
''',
        # inside a function; a comment ending in a backslash continues nothing
        "rerank.py": '''\
# weights in C:\\models\\
from gliner import GLiNER


def rerank():
    from sentence_transformers \\
        import CrossEncoder
    return CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2")  # expect: cross-encoder/ms-marco-MiniLM-L-6-v2


ner = GLiNER.from_pretrained("urchade/gliner_medium-v2.1")  # expect: urchade/gliner_medium-v2.1
''',
        "explore.ipynb": _nb(
            ("code", "from sentence_transformers \\\n    import SentenceTransformer"),
            ("code", 'st = SentenceTransformer("BAAI/bge-small-en-v1.5")  # expect: BAAI/bge-small-en-v1.5'),
        ),
    },
    "one-line-imports": {
        # an import beside another statement on its line, after a comma without a space, after a colon
        "semicolons.py": '''\
import transformers; import os
x = 1; from peft import PeftModel

base = transformers.AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")  # expect: Qwen/Qwen2.5-0.5B-Instruct
lora = PeftModel.from_pretrained(base, "ybelkada/opt-350m-lora")  # expect: ybelkada/opt-350m-lora
''',
        "commas.py": '''\
import os,sys,huggingface_hub as hub
import json,sentence_transformers

path = hub.hf_hub_download("openai-community/gpt2", "config.json")  # expect: openai-community/gpt2
model = sentence_transformers.SentenceTransformer("BAAI/bge-base-en-v1.5")  # expect: BAAI/bge-base-en-v1.5
''',
        "optional.py": '''\
try: import transformers
except ImportError: transformers = None
if transformers: from diffusers import StableDiffusionPipeline

TIP = "tip: from transformers import pipeline; pipeline('ner', model='tip/in-a-string')"


def load():
    try: from sentence_transformers import CrossEncoder
    except ImportError: return None
    return CrossEncoder("cross-encoder/stsb-roberta-base")  # expect: cross-encoder/stsb-roberta-base


clf = transformers.pipeline("text-classification", model="distilbert/distilbert-base-uncased-finetuned-sst-2-english")  # expect: distilbert/distilbert-base-uncased-finetuned-sst-2-english
sd = StableDiffusionPipeline.from_pretrained("stable-diffusion-v1-5/stable-diffusion-v1-5")  # expect: stable-diffusion-v1-5/stable-diffusion-v1-5
''',
    },
    # ---------------------------------------------------------------- files the scanner must skip, never crash on
    "hostile": {
        "legacy_py2.py": 'import transformers\nprint "loading"\nm = transformers.AutoModel.from_pretrained("bert-base-cased")  # expect: bert-base-cased\n',
        "broken.py": "from transformers import AutoModel\ndef f():\n    AutoModel.from_pretrained('gpt2'\n",
        # a syntax error in a statement the scanner does not need: the calls elsewhere still count
        "half_broken.py": ("from transformers import AutoModel\ndef f(:\n    pass\n"
                           "m = AutoModel.from_pretrained('distilgpt2')  # expect: distilgpt2\n"),
        "latin1.py": None,  # written as bytes below
        "bundle.js": None,
        "weights.py": None,
        "ok.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("albert-base-v2")  # expect: albert-base-v2\n',
    },
}

# Files written as raw bytes: undecodable text, a binary blob named .py, a minified bundle.
RAW_FILES = {
    ("hostile", "latin1.py"): b'# -*- coding: latin-1 -*-\nfrom transformers import AutoModel\n# caf\xe9\nAutoModel.from_pretrained("xlnet-base-cased")  # expect: xlnet-base-cased\n',
    ("hostile", "bundle.js"): (b"import{pipeline}from'@huggingface/transformers';" + b"var a=1;" * 5000
                                   + b"pipeline('x','minified/model');"),
    ("hostile", "weights.py"): b"\x00\x01transformers\x02" * 100,
    ("hostile", "bad_utf8.ipynb"): b'{"cells": [{"cell_type": "code", "source": "from transformers import pipeline\xff"}]}',
}


def write(root: Path) -> Path:
    """Write the corpus under root (one folder per repository) and return root."""
    for repo, files in CORPUS.items():
        for path, text in files.items():
            if text is None:
                continue
            target = root / repo / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    for (repo, path), data in RAW_FILES.items():
        target = root / repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    # a symlink loop and a link out of the repository
    if hasattr(os, "symlink"):
        os.symlink("..", root / "hostile" / "loop")
        os.symlink("/etc/hostname", root / "hostile" / "outside.py")
    return root


def labels() -> tuple[set, set]:
    """(model-id labels {(repo, file, line, id)}, call-site labels {(repo, file, line)})."""
    uses, sites = set(), set()
    for (repo, path), text in _texts():
        line_no = 0
        for line in text.splitlines():
            line_no += 1
            m = _LABEL.search(line)
            if not m:
                continue
            sites.add((repo, path, line_no))
            if not m["call"]:
                uses.add((repo, path, line_no, m["value"]))
    return uses, sites


def _texts():
    for repo, files in CORPUS.items():
        for path, text in files.items():
            if text is None:
                continue
            if path.endswith(".ipynb"):  # line numbers count through the code cells
                cells = [c for c in json.loads(text)["cells"] if c["cell_type"] == "code"]
                yield (repo, path), "\n".join("".join(c["source"]).rstrip("\n") for c in cells)
            else:
                yield (repo, path), text
    for (repo, path), data in RAW_FILES.items():
        yield (repo, path), data.decode("latin-1")


def score(calls: list[dict]) -> dict:
    """Precision and recall of code_calls records against the labels."""
    uses, sites = labels()
    found = {(c["repo"], c["file_path"], c["line"], c["model_id"]) for c in calls if c.get("model_id")}
    recorded = {(c["repo"], c["file_path"], c["line"]) for c in calls}
    tp = found & uses
    return {
        "labelled_uses": len(uses), "found_uses": len(found), "true_positives": len(tp),
        "precision": len(tp) / len(found) if found else 0.0,
        "recall": len(tp) / len(uses) if uses else 0.0,
        "labelled_call_sites": len(sites), "recorded_call_sites": len(recorded & sites),
        "call_site_recall": len(recorded & sites) / len(sites) if sites else 0.0,
        "false_positives": sorted(found - uses), "missed": sorted(uses - found),
    }


def evaluate(tmp: Path) -> tuple[dict, dict]:
    """Write the corpus, scan it with `make scan`'s code, score it: (scores, scan summary)."""
    from scripts import scan_code
    src = write(tmp / "corpus")
    summary = scan_code.run(src, tmp / "snapshot", date="2026-01-01", progress=False)
    calls = [json.loads(line) for line in (tmp / "snapshot" / "code_calls.jsonl").read_text().splitlines()]
    return score(calls), summary


if __name__ == "__main__":
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        result, summary = evaluate(Path(d))
    print(json.dumps({**result, "skipped": summary["skipped"]}, indent=1))
