"""The optional embedding backend (measured in bench/embedding_fit.py, not used by the engine): it imports without its
packages and says how to install them; with them installed, it reproduces the model's known similarities."""
import pytest

from matching.engine import embeddings


def test_without_its_packages_it_imports_and_says_how_to_install_them():
    if embeddings.available():
        pytest.skip("the optional backend is installed here")
    with pytest.raises(RuntimeError, match=r"pip install"):
        embeddings.Embedder()


def test_with_its_packages_paraphrases_score_higher_than_unrelated_sentences():
    if not embeddings.available():
        pytest.skip("the optional backend is not installed (pip install '.[embeddings]')")
    vectors = embeddings.Embedder().embed(["A man is eating food.", "A man is eating a piece of bread.",
                                           "A monkey is playing drums."])
    assert float(vectors[0] @ vectors[1]) > 0.5 > 0.3 > float(vectors[0] @ vectors[2])
