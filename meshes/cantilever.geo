// Cantilever beam 100 x 10 x 10 mm (x along the axis), tetrahedra.
// gmsh -3 -format msh41 meshes/cantilever.geo -o cantilever.msh [-setnumber h 2.5]
SetFactory("OpenCASCADE");
DefineConstant[ h = {2.5, Name "mesh size (mm)"} ];
Box(1) = {0, 0, 0, 100, 10, 10};
Physical Volume("beam") = {1};
Physical Surface("root") = {1};   // x = 0
Physical Surface("tip") = {2};    // x = 100
Mesh.CharacteristicLengthMax = h;
Mesh.CharacteristicLengthMin = h;
