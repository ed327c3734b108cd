//! Where the user is, kept in the URL hash so that a reload (or a bookmark) lands in the same place.
//!
//! `#/` is the playground list; `#/p/<id>` a playground; `#/p/<id>/<service>` a service's resources;
//! `#/p/<id>/<service>/<name>` one resource. AWS resource names never contain `/`.
//! `#/share/<fragment>` a share link's landing page.

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    List,
    Playground { id: String, view: View },
    Share(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum View {
    Home,
    Service(Service),
    Resource(Service, String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    DynamoDb,
    Sqs,
    S3,
    Sns,
    Lambda,
}

impl Service {
    pub const ALL: [Service; 5] = [
        Service::Lambda,
        Service::DynamoDb,
        Service::Sqs,
        Service::S3,
        Service::Sns,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Service::DynamoDb => "dynamodb",
            Service::Sqs => "sqs",
            Service::S3 => "s3",
            Service::Sns => "sns",
            Service::Lambda => "lambda",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Service::DynamoDb => "DynamoDB",
            Service::Sqs => "SQS",
            Service::S3 => "S3",
            Service::Sns => "SNS",
            Service::Lambda => "Lambda",
        }
    }

    /// What the console calls this service's resources.
    pub fn resources(self) -> &'static str {
        match self {
            Service::DynamoDb => "Tables",
            Service::Sqs => "Queues",
            Service::S3 => "Buckets",
            Service::Sns => "Topics",
            Service::Lambda => "Functions",
        }
    }

    fn from_slug(slug: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.slug() == slug)
    }
}

impl Route {
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let parts: Vec<String> = path
            .split('/')
            .filter(|p| !p.is_empty())
            .map(decode)
            .collect();
        match parts.as_slice() {
            [p, id, rest @ ..] if p == "p" => {
                let view = match rest {
                    [] => View::Home,
                    [s] => Service::from_slug(s).map_or(View::Home, View::Service),
                    [s, name, ..] => Service::from_slug(s)
                        .map_or(View::Home, |s| View::Resource(s, name.clone())),
                };
                Route::Playground {
                    id: id.clone(),
                    view,
                }
            }
            [s, fragment] if s == "share" => Route::Share(fragment.clone()),
            _ => Route::List,
        }
    }

    pub fn href(&self) -> String {
        match self {
            Route::List => "#/".to_string(),
            Route::Share(fragment) => format!("#/share/{fragment}"),
            Route::Playground { id, view } => {
                let base = format!("#/p/{}", encode(id));
                match view {
                    View::Home => base,
                    View::Service(s) => format!("{base}/{}", s.slug()),
                    View::Resource(s, name) => format!("{base}/{}/{}", s.slug(), encode(name)),
                }
            }
        }
    }

    pub fn playground_id(&self) -> Option<String> {
        match self {
            Route::List | Route::Share(_) => None,
            Route::Playground { id, .. } => Some(id.clone()),
        }
    }
}

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

fn decode(s: &str) -> String {
    js_sys::decode_uri_component(s)
        .map(String::from)
        .unwrap_or_else(|_| s.to_string())
}
