// Package tffwdocs declares the documentation types terraform-provider-restful references.
package tffwdocs

// Example is one documented HCL example.
type Example struct {
	Header string
	HCL    string
}

// ImportId documents the import id format.
type ImportId struct {
	Format        string
	ExampleCmdArg string
	ExampleBlk    string
}

// ResourceRenderOption holds a resource's documentation examples.
type ResourceRenderOption struct {
	Examples         []Example
	ImportId         *ImportId
	IdentityExamples []Example
}

// DataSourceRenderOption holds a data source's documentation examples.
type DataSourceRenderOption struct{ Examples []Example }

// EphemeralResourceRenderOption holds an ephemeral resource's documentation examples.
type EphemeralResourceRenderOption struct{ Examples []Example }

// ProviderRenderOption holds the provider's documentation examples.
type ProviderRenderOption struct{ Examples []Example }

// ResourceWithRenderOption is a resource that documents itself.
type ResourceWithRenderOption interface{ RenderOption() ResourceRenderOption }

// DataSourceWithRenderOption is a data source that documents itself.
type DataSourceWithRenderOption interface{ RenderOption() DataSourceRenderOption }

// EphemeralResourceWithRenderOption is an ephemeral resource that documents itself.
type EphemeralResourceWithRenderOption interface {
	RenderOption() EphemeralResourceRenderOption
}

// ProviderWithRenderOption is a provider that documents itself.
type ProviderWithRenderOption interface{ RenderOption() ProviderRenderOption }
