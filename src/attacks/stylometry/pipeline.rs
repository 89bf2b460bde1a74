//! An attribution pipeline: features fitted on the training corpus, a
//! normalization fitted on the training rows, and a classifier. This is the
//! unit that `eval::cross_validation` cross-validates and the CLI runs.
//!
//! It returns scores and rankings; it does not score them against the truth
//! (see `eval::attribution`).

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::corpus::Corpus;
use super::delta::{DeltaClassifier, DeltaMetric, Knn, KnnDistance, NearestCentroid, Profile};
use super::features::{FeatureConfig, FittedFeatures};
use super::linear::{LinearSvmAuthorship, LinearSvmParams, LogisticAuthorship, LogisticParams};
use super::normalize::{FittedNormalizer, Normalization};
use super::{AuthorshipClassifier, AuthorshipModel, StylometryError};

/// The classifiers this module provides. The command line offers them
/// through a wrapper in `cli` (no clap in library types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassifierKind {
    /// Burrows' Delta.
    Burrows,
    /// Cosine Delta (Smith & Aldridge 2011).
    Cosine,
    /// Eder's Delta (stylo weighting).
    Eder,
    /// Nearest centroid, Euclidean.
    NearestCentroid,
    /// k-nearest neighbours.
    Knn,
    /// Multinomial logistic regression (softmax, L2, L-BFGS; linfa-logistic).
    Logistic,
    /// One-vs-rest linear C-SVM (SMO, linear kernel; linfa-svm).
    LinearSvm,
}

/// A classifier and its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassifierSpec {
    /// Which classifier.
    pub kind: ClassifierKind,
    /// Author representation for the Delta classifiers.
    pub profile: Profile,
    /// k for kNN.
    pub k: usize,
    /// Distance for kNN.
    pub knn_distance: KnnDistance,
    /// Hyperparameters of [`ClassifierKind::Logistic`].
    pub logistic: LogisticParams,
    /// Hyperparameters of [`ClassifierKind::LinearSvm`].
    pub svm: LinearSvmParams,
}

impl ClassifierSpec {
    /// A classifier of `kind` with default parameters (centroid profile,
    /// k = 3, Euclidean kNN, logistic alpha = 1, SVM C = 1 class-balanced;
    /// both linear models z-score features with training statistics).
    pub fn new(kind: ClassifierKind) -> Self {
        Self {
            kind,
            profile: Profile::Centroid,
            k: 3,
            knn_distance: KnnDistance::Euclidean,
            logistic: LogisticParams::default(),
            svm: LinearSvmParams::default(),
        }
    }

    /// True when the classifier is fitted on one concatenated subcorpus per
    /// author instead of the documents: a Delta classifier with
    /// [`Profile::Subcorpus`].
    pub fn uses_subcorpora(&self) -> bool {
        self.profile == Profile::Subcorpus
            && matches!(
                self.kind,
                ClassifierKind::Burrows | ClassifierKind::Cosine | ClassifierKind::Eder
            )
    }
}

/// Fits `params` and boxes the model, so one pipeline type holds any of them.
fn fit_boxed<C>(
    params: &C,
    x: &Array2<f64>,
    y: &[usize],
    n_authors: usize,
) -> Result<Box<dyn AuthorshipModel>, StylometryError>
where
    C: AuthorshipClassifier + ?Sized,
    C::Model: 'static,
{
    Ok(Box::new(params.fit(x, y, n_authors)?))
}

/// A spec is itself a classifier's parameters: `fit` dispatches on
/// [`ClassifierSpec::kind`] and returns the boxed fitted model.
impl AuthorshipClassifier for ClassifierSpec {
    type Model = Box<dyn AuthorshipModel>;

    fn fit(
        &self,
        x: &Array2<f64>,
        y: &[usize],
        n_authors: usize,
    ) -> Result<Box<dyn AuthorshipModel>, StylometryError> {
        let delta = |metric| DeltaClassifier::new(metric, self.profile);
        match self.kind {
            ClassifierKind::Burrows => fit_boxed(&delta(DeltaMetric::Burrows), x, y, n_authors),
            ClassifierKind::Cosine => fit_boxed(&delta(DeltaMetric::Cosine), x, y, n_authors),
            ClassifierKind::Eder => fit_boxed(&delta(DeltaMetric::Eder), x, y, n_authors),
            ClassifierKind::NearestCentroid => fit_boxed(&NearestCentroid::new(), x, y, n_authors),
            ClassifierKind::Knn => fit_boxed(&Knn::new(self.k, self.knn_distance), x, y, n_authors),
            ClassifierKind::Logistic => {
                fit_boxed(&LogisticAuthorship::new(self.logistic), x, y, n_authors)
            }
            ClassifierKind::LinearSvm => {
                fit_boxed(&LinearSvmAuthorship::new(self.svm), x, y, n_authors)
            }
        }
    }
}

/// Features, normalization and classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineConfig {
    /// Feature families and tokenization.
    pub features: FeatureConfig,
    /// Normalization fitted on training rows (the Delta classifiers z-score
    /// internally, so `None` is the usual choice for them).
    pub normalization: Normalization,
    /// Classifier.
    pub classifier: ClassifierSpec,
}

impl PipelineConfig {
    /// Classic Burrows' Delta: 100 most frequent words, no extra normalization.
    pub fn burrows(mfw: usize) -> Self {
        Self {
            features: FeatureConfig {
                kinds: vec![super::features::FeatureKind::Mfw {
                    n: mfw,
                    culling_percent: 0.0,
                }],
                ..FeatureConfig::default()
            },
            normalization: Normalization::None,
            classifier: ClassifierSpec::new(ClassifierKind::Burrows),
        }
    }

    /// The same features and normalization with another classifier.
    pub fn with_classifier(&self, classifier: ClassifierSpec) -> Self {
        Self {
            classifier,
            ..self.clone()
        }
    }
}

/// Each author's training documents joined by a blank line, in author
/// order: vocabulary features of the joined text are the author's pooled
/// counts over pooled unit totals (Burrows 2002's subcorpus). Character and
/// word n-grams spanning the blank line between two documents are counted
/// too (a few per document).
pub fn author_subcorpora(train: &Corpus) -> Vec<String> {
    let mut out = vec![String::new(); train.authors.len()];
    for (text, &label) in train.texts.iter().zip(&train.labels) {
        let s = &mut out[label];
        if !s.is_empty() {
            s.push_str("\n\n");
        }
        s.push_str(text);
    }
    out
}

/// A pipeline fitted on a training corpus.
pub struct FittedPipeline {
    features: FittedFeatures,
    normalizer: FittedNormalizer,
    classifier: Box<dyn AuthorshipModel>,
    authors: Vec<String>,
}

impl FittedPipeline {
    /// Fits features, normalization and the configured classifier on `train`.
    pub fn fit(config: &PipelineConfig, train: &Corpus) -> Result<Self, StylometryError> {
        Self::fit_model(config, train, |x, y, n| config.classifier.fit(x, y, n))
    }

    /// Like [`FittedPipeline::fit`] with any [`AuthorshipClassifier`] (for
    /// example a linear model with its own parameters), ignoring
    /// `config.classifier` except for [`ClassifierSpec::uses_subcorpora`].
    pub fn fit_with_classifier<C>(
        config: &PipelineConfig,
        classifier: &C,
        train: &Corpus,
    ) -> Result<Self, StylometryError>
    where
        C: AuthorshipClassifier + ?Sized,
        C::Model: 'static,
    {
        Self::fit_model(config, train, |x, y, n| fit_boxed(classifier, x, y, n))
    }

    /// Features and normalization fitted on `train`, then `fit` on the rows.
    fn fit_model(
        config: &PipelineConfig,
        train: &Corpus,
        fit: impl FnOnce(
            &Array2<f64>,
            &[usize],
            usize,
        ) -> Result<Box<dyn AuthorshipModel>, StylometryError>,
    ) -> Result<Self, StylometryError> {
        train.validate()?;
        if train.authors.len() < 2 {
            return Err(StylometryError::Invalid(format!(
                "training data has {} author(s); attribution needs at least two candidate authors",
                train.authors.len()
            )));
        }
        let features = FittedFeatures::fit(&config.features, &train.texts)?;
        let (raw, labels) = if config.classifier.uses_subcorpora() {
            let subcorpora = author_subcorpora(train);
            let labels: Vec<usize> = (0..train.authors.len()).collect();
            (features.transform(&subcorpora)?, labels)
        } else {
            (features.transform(&train.texts)?, train.labels.clone())
        };
        let normalizer = FittedNormalizer::fit(config.normalization, &raw.values)?;
        let x = normalizer.transform(&raw.values)?;
        let classifier = fit(&x, &labels, train.authors.len())?;
        Ok(Self {
            features,
            normalizer,
            classifier,
            authors: train.authors.clone(),
        })
    }

    /// Candidate authors (score columns).
    pub fn authors(&self) -> &[String] {
        &self.authors
    }

    /// The fitted features.
    pub fn features(&self) -> &FittedFeatures {
        &self.features
    }

    /// The fitted classifier.
    pub fn classifier(&self) -> &dyn AuthorshipModel {
        self.classifier.as_ref()
    }

    /// Feature rows of `texts` as the classifier sees them (features, then
    /// the fitted normalization). Errors on an empty document.
    pub fn transform(&self, texts: &[String]) -> Result<Array2<f64>, StylometryError> {
        for (i, t) in texts.iter().enumerate() {
            if t.trim().is_empty() {
                return Err(StylometryError::Invalid(format!(
                    "document {i} to attribute is empty; drop empty documents first"
                )));
            }
        }
        let raw = self.features.transform(texts)?;
        self.normalizer.transform(&raw.values)
    }

    /// Scores of `texts` against every author (rows = texts).
    pub fn scores(&self, texts: &[String]) -> Result<Array2<f64>, StylometryError> {
        self.classifier.scores(&self.transform(texts)?)
    }
}

/// An author and a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorScore {
    /// Author name.
    pub author: String,
    /// Score (higher = more likely; negative distance for distance classifiers).
    pub score: f64,
}

/// The attribution of one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributedDocument {
    /// Row of the document among the attributed texts.
    pub row: usize,
    /// Best-scored author.
    pub predicted: String,
    /// The best `top_n` authors, best first (ties by author order).
    pub ranking: Vec<AuthorScore>,
}

/// Result of training on one corpus and attributing another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributionRun {
    /// Pipeline used.
    pub config: PipelineConfig,
    /// Candidate authors.
    pub authors: Vec<String>,
    /// Training documents.
    pub n_train: usize,
    /// Number of feature columns.
    pub n_features: usize,
    /// Per-document attributions.
    pub documents: Vec<AttributedDocument>,
}

/// Fits `config` on `train` and attributes `texts`: the run (each
/// document's `top_n` best authors) and the documents x authors scores
/// (columns follow `train.authors`), which `eval::attribution::score_run`
/// scores against the true authors when they are known.
pub fn attribute(
    config: &PipelineConfig,
    train: &Corpus,
    texts: &[String],
    top_n: usize,
) -> Result<(AttributionRun, Array2<f64>), StylometryError> {
    if texts.is_empty() {
        return Err(StylometryError::Invalid("no documents to attribute".into()));
    }
    let pipeline = FittedPipeline::fit(config, train)?;
    let scores = pipeline.scores(texts)?;
    let run = attribution_run(config, train, &pipeline, &scores, top_n);
    Ok((run, scores))
}

/// The [`AttributionRun`] of `pipeline` (fitted with `config` on `train`)
/// from the document scores `scores` (rows = attributed documents).
pub(crate) fn attribution_run(
    config: &PipelineConfig,
    train: &Corpus,
    pipeline: &FittedPipeline,
    scores: &Array2<f64>,
    top_n: usize,
) -> AttributionRun {
    let documents = scores
        .rows()
        .into_iter()
        .enumerate()
        .map(|(row, s)| {
            let order = super::ranking::top_ranked(s, top_n.max(1));
            AttributedDocument {
                row,
                predicted: train.authors[order[0]].clone(),
                ranking: order
                    .iter()
                    .map(|&a| AuthorScore {
                        author: train.authors[a].clone(),
                        score: s[a],
                    })
                    .collect(),
            }
        })
        .collect();
    AttributionRun {
        config: config.clone(),
        authors: train.authors.clone(),
        n_train: train.len(),
        n_features: pipeline.features().names().len(),
        documents,
    }
}
