import json
import shutil
from pathlib import Path

from pipeline.tag_model.model import DOMAIN_KEY, META_FILE, NerModel, default_model_dir


def _copy_of_shipped(tmp_path: Path) -> Path:
    folder = tmp_path / "tag"
    shutil.copytree(default_model_dir(), folder)
    return folder


def test_a_model_without_a_domain_in_its_meta_featurises_without_one(tmp_path):
    folder = _copy_of_shipped(tmp_path)
    meta = json.loads((folder / META_FILE).read_text("utf-8"))
    meta.pop(DOMAIN_KEY, None)
    (folder / META_FILE).write_text(json.dumps(meta), "utf-8")
    assert NerModel.load(folder).featurizer.domain is None


def test_the_domain_named_in_meta_reaches_the_featurizer(tmp_path):
    folder = _copy_of_shipped(tmp_path)
    meta = json.loads((folder / META_FILE).read_text("utf-8"))
    (folder / META_FILE).write_text(json.dumps({**meta, DOMAIN_KEY: "sport"}), "utf-8")
    assert NerModel.load(folder).featurizer.domain == "sport"
